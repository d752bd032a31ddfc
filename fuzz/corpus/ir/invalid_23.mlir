func @transpose_rank(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'loom.transpose' op transposes a rank-2 tensor, got [2, 3, 4]}}
  %0 = loom.transpose %a : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return
}
