func @scan_steps_disagree(%h0: tensor<4x8xf32>, %x: tensor<28x4x8xf32>, %y: tensor<27x4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op sequence #1 [27, 4, 8] does not have the scan's 28 steps first}}
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x, %y : tensor<28x4x8xf32>, tensor<27x4x8xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<4x8xf32>, %y_t: tensor<4x8xf32>):
    loom.yield %h_prev, %h_prev : tensor<4x8xf32>, tensor<4x8xf32>
  }
  return
}
