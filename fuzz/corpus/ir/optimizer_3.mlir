// expected-error @+1 {{loom.optimizer is missing the float 'beta2'}}
module attributes {loom.optimizer = {kind = "adam", learning_rate = 0.01 : f64, beta1 = 0.8 : f64, epsilon = 1.0e-07 : f64}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
