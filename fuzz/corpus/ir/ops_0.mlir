// Every loom op parses, verifies and prints back to the same form.

func @lstm_classifier_pieces() {
  %x = loom.input "images" : tensor<28x4x28xf32>
  %labels = loom.input "labels" : tensor<4xi32>
  %w = loom.parameter "w" {init = "uniform", scale = 0.125 : f64} : tensor<8x28xf32>
  %u = loom.parameter "u" {init = "glorot_uniform"} : tensor<8x8xf32>
  %b = loom.parameter "b" : tensor<8xf32>
  %h0 = loom.constant dense<0.000000e+00> : tensor<4x8xf32>
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x28xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<4x28xf32>):
    %in = loom.matmul %x_t, %w {transpose_rhs} : (tensor<4x28xf32>, tensor<8x28xf32>) -> tensor<4x8xf32>
    %rec = loom.matmul %h_prev, %u {transpose_rhs} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %sum = loom.add %in, %rec : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %pre = loom.bias_add %sum, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %next = loom.tanh %pre : (tensor<4x8xf32>) -> tensor<4x8xf32>
    loom.yield %next, %next : tensor<4x8xf32>, tensor<4x8xf32>
  }
  %r, %rs = loom.scan reverse carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x28xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<4x28xf32>):
    %in = loom.matmul %x_t, %w {transpose_rhs} : (tensor<4x28xf32>, tensor<8x28xf32>) -> tensor<4x8xf32>
    %s = loom.sigmoid %in : (tensor<4x8xf32>) -> tensor<4x8xf32>
    loom.yield %s, %s : tensor<4x8xf32>, tensor<4x8xf32>
  }
  %gate = loom.slice %h {axis = 1 : i64, start = 2 : i64, size = 4 : i64} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  %joined = loom.concat %gate, %gate {axis = 1 : i64} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x8xf32>
  %d = loom.sub %joined, %h : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = loom.mul %d, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %q = loom.div %m, %h : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %e = loom.exp %q : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = loom.log %e : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %flat = loom.reshape %hs : (tensor<28x4x8xf32>) -> tensor<112x8xf32>
  %tr = loom.transpose %h : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %sum = loom.reduce_sum %l {axes = [1]} : (tensor<4x8xf32>) -> tensor<4xf32>
  %mean = loom.reduce_mean %l {axes = [0, 1]} : (tensor<4x8xf32>) -> tensor<f32>
  %max = loom.reduce_max %flat {axes = [0]} : (tensor<112x8xf32>) -> tensor<8xf32>
  %bc = loom.broadcast %sum {axes = [1], shape = [4, 8]} : (tensor<4xf32>) -> tensor<4x8xf32>
  %p = loom.softmax %bc : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %lp = loom.log_softmax %p : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %loss = loom.sparse_softmax_cross_entropy %lp, %labels : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  %dlogits = loom.sparse_softmax_cross_entropy_grad %lp, %labels, %loss : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> tensor<4x8xf32>
  %class = loom.argmax %dlogits : (tensor<4x8xf32>) -> tensor<4xi32>
  loom.output "class" %class : tensor<4xi32>
  loom.output "max" %max : tensor<8xf32>
  loom.output "mean" %mean : tensor<f32>
  loom.loss %loss : tensor<f32>
  return
}

func @training_ops(%g: tensor<8x4xf32>) {
  loom.parameter_gradient "w" %g : tensor<8x4xf32>
  loom.adam_update "w" %g {beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-08 : f64, learning_rate = 1.0e-03 : f64} : tensor<8x4xf32>
  return
}
