func @reshape_count(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'loom.reshape' op cannot reshape [4, 8] (32 elements) to [5, 8] (40 elements)}}
  %0 = loom.reshape %a : (tensor<4x8xf32>) -> tensor<5x8xf32>
  return
}
