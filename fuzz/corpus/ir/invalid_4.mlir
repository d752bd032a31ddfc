func @bias_size(%a: tensor<4x8xf32>, %b: tensor<9xf32>) {
  // expected-error @+1 {{'loom.bias_add' op adds a bias [C] to an input [..., C], got input [4, 8] and bias [9]}}
  %0 = loom.bias_add %a, %b : (tensor<4x8xf32>, tensor<9xf32>) -> tensor<4x8xf32>
  return
}
