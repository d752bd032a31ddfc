func @scan_step_slice(%h0: tensor<4x8xf32>, %x: tensor<28x4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op body argument for sequence #0 is [28, 4, 8]; one step of [28, 4, 8] is [4, 8]}}
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x8xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<28x4x8xf32>):
    loom.yield %h_prev, %h_prev : tensor<4x8xf32>, tensor<4x8xf32>
  }
  return
}
