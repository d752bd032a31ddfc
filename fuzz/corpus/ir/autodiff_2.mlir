// A model without a loss is for inference only.
module {
  func @forward() {
    %x = loom.input "x" : tensor<4x3xf32>
    loom.output "x" %x : tensor<4x3xf32>
    return
  }
}
