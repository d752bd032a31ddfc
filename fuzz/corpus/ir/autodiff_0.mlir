// loom-autodiff builds @train_step: the forward ops, then each op's adjoint rule in reverse order.

module {
  func @forward() {
    %x = loom.input "x" : tensor<4x3xf32>
    %labels = loom.input "labels" : tensor<4xi32>
    %w = loom.parameter "w" : tensor<5x3xf32>
    %b = loom.parameter "b" : tensor<5xf32>
    %y = loom.matmul %x, %w {transpose_rhs} : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5xf32>
    %z = loom.bias_add %y, %b : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
    %l = loom.sparse_softmax_cross_entropy %z, %labels : (tensor<4x5xf32>, tensor<4xi32>) -> tensor<f32>
    loom.loss %l : tensor<f32>
    return
  }
}
// The loss is seeded with 1; cross-entropy, bias and matmul rules follow in reverse order.
// dW = dZ^T x for y = x W^T; x is an input, so it gets no adjoint.
