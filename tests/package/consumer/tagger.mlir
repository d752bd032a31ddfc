// A model written directly in the loom dialect: a tanh RNN over 3 steps of 2 examples whose states
// are read as logits over 3 tags, trained with SGD. loom_add_model(tagger MLIR tagger.mlir) compiles
// it with loomc; tests/lit/loomc.mlir checks loomc's outputs for it.
module @tagger attributes {loom.model = "tagger", loom.optimizer = {kind = "sgd", learning_rate = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, semantics = "pytorch"}} {
  func @forward() {
    %w = loom.parameter "rnn.weight_ih" {init = "uniform", scale = 0.5 : f64} : tensor<3x4xf32>
    %u = loom.parameter "rnn.weight_hh" {init = "uniform", scale = 0.5 : f64} : tensor<3x3xf32>
    %b = loom.parameter "rnn.bias" {init = "uniform", scale = 0.5 : f64} : tensor<3xf32>
    %words = loom.input "words" : tensor<3x2x4xf32>
    %tags = loom.input "tags" : tensor<6xi32>
    %h0 = loom.constant dense<0.000000e+00> : tensor<2x3xf32>
    %final, %states = loom.scan carry(%h0 : tensor<2x3xf32>) over(%words : tensor<3x2x4xf32>) -> (tensor<2x3xf32>), (tensor<3x2x3xf32>) {
    ^bb0(%h: tensor<2x3xf32>, %x: tensor<2x4xf32>):
      %in = loom.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
      %rec = loom.matmul %h, %u {transpose_rhs} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
      %sum = loom.add %in, %rec : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      %pre = loom.bias_add %sum, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %next = loom.tanh %pre : (tensor<2x3xf32>) -> tensor<2x3xf32>
      loom.yield %next, %next : tensor<2x3xf32>, tensor<2x3xf32>
    }
    loom.output "states" %states : tensor<3x2x3xf32>
    %logits = loom.reshape %states : (tensor<3x2x3xf32>) -> tensor<6x3xf32>
    %loss = loom.sparse_softmax_cross_entropy %logits, %tags : (tensor<6x3xf32>, tensor<6xi32>) -> tensor<f32>
    loom.loss %loss : tensor<f32>
    return
  }
}
