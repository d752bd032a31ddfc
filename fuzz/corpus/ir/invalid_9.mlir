func @reduce_repeated_axis(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'loom.reduce_sum' op has invalid or repeated axis 1 for an operand [4, 8]}}
  %0 = loom.reduce_sum %a {axes = [1, 1]} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}
