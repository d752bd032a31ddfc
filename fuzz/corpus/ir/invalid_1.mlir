func @matmul_rank(%a: tensor<2x4x28xf32>, %b: tensor<28x8xf32>) {
  // expected-error @+1 {{'loom.matmul' op multiplies rank-2 tensors, got [2, 4, 28] and [28, 8]}}
  %0 = loom.matmul %a, %b : (tensor<2x4x28xf32>, tensor<28x8xf32>) -> tensor<4x8xf32>
  return
}
