func @duplicate_output(%x: tensor<4xf32>) {
  // expected-remark @+1 {{first declared here}}
  loom.output "y" %x : tensor<4xf32>
  // expected-error @+1 {{model output 'y' is declared twice}}
  loom.output "y" %x : tensor<4xf32>
  return
}
