func @two_losses(%l: tensor<f32>) {
  // expected-remark @+1 {{the first loss is here}}
  loom.loss %l : tensor<f32>
  // expected-error @+1 {{a model has at most one loss}}
  loom.loss %l : tensor<f32>
  return
}
