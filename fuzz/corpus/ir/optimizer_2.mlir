// expected-error @+1 {{unknown optimizer "lion" in loom.optimizer; Loom knows "sgd", "adam" and "rmsprop"}}
module attributes {loom.optimizer = {kind = "lion"}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
