// expected-error @+1 {{loom.clip_global_norm is missing the float 'max_norm'}}
module attributes {loom.optimizer = {kind = "sgd", learning_rate = 0.1 : f64, momentum = 0.0 : f64}, loom.clip_global_norm = {}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
