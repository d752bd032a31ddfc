func @add_shapes(%a: tensor<4x8xf32>, %b: tensor<4x9xf32>) {
  // expected-error @+1 {{'loom.add' op needs operands of one shape, got [4, 8] and [4, 9]}}
  %0 = loom.add %a, %b : (tensor<4x8xf32>, tensor<4x9xf32>) -> tensor<4x8xf32>
  return
}
