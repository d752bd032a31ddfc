func @xent_grad_not_scalar(%logits: tensor<4x10xf32>, %labels: tensor<4xi32>, %d: tensor<4xf32>) {
  // expected-error @+1 {{'loom.sparse_softmax_cross_entropy_grad' op needs a scalar loss gradient, got [4]}}
  %0 = loom.sparse_softmax_cross_entropy_grad %logits, %labels, %d : (tensor<4x10xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<4x10xf32>
  return
}
