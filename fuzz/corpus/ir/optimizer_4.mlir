// SGD with Keras semantics and RMSprop keep their hyperparameters and semantics.
module attributes {loom.optimizer = {kind = "sgd", learning_rate = 0.1 : f64, momentum = 0.9 : f64, semantics = "keras"}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
