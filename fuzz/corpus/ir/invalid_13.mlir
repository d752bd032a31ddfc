func @softmax_scalar(%a: tensor<f32>) {
  // expected-error @+1 {{'loom.softmax' op needs an operand of rank 1 or more, got []}}
  %0 = loom.softmax %a : (tensor<f32>) -> tensor<f32>
  return
}
