func @labels_type(%logits: tensor<4x10xf32>, %labels: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer values}}
  %0 = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return
}
