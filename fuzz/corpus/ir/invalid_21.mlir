func @loss_not_scalar(%l: tensor<4xf32>) {
  // expected-error @+1 {{'loom.loss' op needs a scalar loss, got [4]; reduce it first (for example with loom.reduce_mean)}}
  loom.loss %l : tensor<4xf32>
  return
}
