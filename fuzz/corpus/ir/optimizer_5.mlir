module attributes {loom.optimizer = {kind = "rmsprop", learning_rate = 0.01 : f64, rho = 0.9 : f64, epsilon = 1.0e-07 : f64}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
