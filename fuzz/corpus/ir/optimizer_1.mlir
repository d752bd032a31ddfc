// expected-error @+1 {{@train_step has parameter gradients but the module names no optimizer (attribute loom.optimizer, set by model.minimize)}}
module {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
