func @scan_no_sequence(%h0: tensor<4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op needs at least one sequence: it fixes the number of steps}}
  %h = loom.scan carry(%h0 : tensor<4x8xf32>) -> (tensor<4x8xf32>), () {
  ^bb0(%h_prev: tensor<4x8xf32>):
    loom.yield %h_prev : tensor<4x8xf32>
  }
  return
}
