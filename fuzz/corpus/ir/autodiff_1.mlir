// A scan saves the state entering each step and the sum its matmul starts (what tanh reads), and
// is differentiated by a reverse-time scan that carries the state adjoint and accumulates the
// captured weight's gradient.
module {
  func @forward() {
    %x = loom.input "x" : tensor<6x2x3xf32>
    %w = loom.parameter "w" : tensor<3x3xf32>
    %h0 = loom.constant dense<0.0> : tensor<2x3xf32>
    %h = loom.scan carry(%h0 : tensor<2x3xf32>) over(%x : tensor<6x2x3xf32>) -> (tensor<2x3xf32>), () {
    ^bb0(%prev: tensor<2x3xf32>, %x_t: tensor<2x3xf32>):
      %r = loom.matmul %prev, %w {transpose_rhs} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
      %s = loom.add %r, %x_t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      %n = loom.tanh %s : (tensor<2x3xf32>) -> tensor<2x3xf32>
      loom.yield %n : tensor<2x3xf32>
    }
    %l = loom.reduce_sum %h {axes = [0, 1]} : (tensor<2x3xf32>) -> tensor<f32>
    loom.loss %l : tensor<f32>
    return
  }
}
// The step is recomputed from the saved sum, not from the state through the matmul, then
// differentiated: the two matmuls left are the adjoints of the state and of the weight.
