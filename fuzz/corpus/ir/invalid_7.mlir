func @concat_mismatch(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>) {
  // expected-error @+1 {{'loom.concat' op needs operands that agree except along axis 1, got [4, 8] and [5, 8]}}
  %0 = loom.concat %a, %b {axis = 1 : i64} : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x16xf32>
  return
}
