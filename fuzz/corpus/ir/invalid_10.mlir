func @broadcast_mismatch(%a: tensor<4xf32>) {
  // expected-error @+1 {{'loom.broadcast' op cannot broadcast [4] to [5, 8] by inserting axes [1]}}
  %0 = loom.broadcast %a {axes = [1], shape = [5, 8]} : (tensor<4xf32>) -> tensor<5x8xf32>
  return
}
