// loom-infer-shapes gives every unranked result its static shape, inside scan bodies too.

func @dense_head() {
  %x = loom.input "x" : tensor<4x28xf32>
  %w = loom.parameter "w" : tensor<10x28xf32>
  %b = loom.parameter "b" : tensor<10xf32>
  %labels = loom.input "labels" : tensor<4xi32>
  %y = loom.matmul %x, %w {transpose_rhs} : (tensor<4x28xf32>, tensor<10x28xf32>) -> tensor<*xf32>
  %z = loom.bias_add %y, %b : (tensor<*xf32>, tensor<10xf32>) -> tensor<*xf32>
  %p = loom.log_softmax %z : (tensor<*xf32>) -> tensor<*xf32>
  %m = loom.reduce_max %p {axes = [0]} : (tensor<*xf32>) -> tensor<*xf32>
  %c = loom.argmax %z : (tensor<*xf32>) -> tensor<*xi32>
  %l = loom.sparse_softmax_cross_entropy %z, %labels : (tensor<*xf32>, tensor<4xi32>) -> tensor<*xf32>
  loom.output "class" %c : tensor<*xi32>
  loom.output "max" %m : tensor<*xf32>
  loom.loss %l : tensor<*xf32>
  return
}
