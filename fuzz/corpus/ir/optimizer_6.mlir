// Global-norm clipping (PyTorch): one factor min(1, max_norm / (norm + 1e-6)) from the norm of
// all gradients together scales every gradient before its update.
module attributes {loom.optimizer = {kind = "sgd", learning_rate = 0.1 : f64, momentum = 0.0 : f64}, loom.clip_global_norm = {max_norm = 0.5 : f64}} {
  func @train_step(%a: tensor<5x3xf32>, %b: tensor<3xf32>) {
    loom.parameter_gradient "a" %a : tensor<5x3xf32>
    loom.parameter_gradient "b" %b : tensor<3xf32>
    return
  }
}
