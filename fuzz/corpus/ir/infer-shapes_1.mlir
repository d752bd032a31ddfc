func @rnn_scan() {
  %x = loom.input "x" : tensor<28x4x3xf32>
  %w = loom.parameter "w" : tensor<8x3xf32>
  %h0 = loom.constant dense<0.0> : tensor<4x8xf32>
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x3xf32>) -> (tensor<*xf32>), (tensor<*xf32>) {
  ^bb0(%h_prev: tensor<*xf32>, %x_t: tensor<*xf32>):
    %in = loom.matmul %x_t, %w {transpose_rhs} : (tensor<*xf32>, tensor<8x3xf32>) -> tensor<*xf32>
    %s = loom.add %in, %h_prev : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %n = loom.tanh %s : (tensor<*xf32>) -> tensor<*xf32>
    loom.yield %n, %n : tensor<*xf32>, tensor<*xf32>
  }
  %tail = loom.slice %hs {axis = 0 : i64, start = 1 : i64, size = 27 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  loom.output "tail" %tail : tensor<*xf32>
  loom.output "h" %h : tensor<*xf32>
  return
}
