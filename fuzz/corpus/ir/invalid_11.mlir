func @labels_batch(%logits: tensor<4x10xf32>, %labels: tensor<5xi32>) {
  // expected-error @+1 {{'loom.sparse_softmax_cross_entropy' op needs logits [N, C] and labels [N], got logits [4, 10] and labels [5]}}
  %0 = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<4x10xf32>, tensor<5xi32>) -> tensor<f32>
  return
}
