func @matmul_wrong_result(%a: tensor<4x28xf32>, %b: tensor<28x8xf32>) {
  // expected-error @+1 {{'loom.matmul' op result type 'tensor<4x9xf32>' does not match the type its operands give, 'tensor<4x8xf32>'}}
  %0 = loom.matmul %a, %b : (tensor<4x28xf32>, tensor<28x8xf32>) -> tensor<4x9xf32>
  return
}
