// An input and a parameter may share a name: they are different kinds.
func @kinds_are_separate() {
  %x = loom.input "x" : tensor<4xf32>
  %w = loom.parameter "x" : tensor<4xf32>
  loom.output "x" %x : tensor<4xf32>
  return
}
