// loom-autodiff builds @train_step: the forward ops, then each op's adjoint rule in reverse order.
// RUN: loom-opt %s -split-input-file -loom-autodiff | FileCheck %s

// CHECK-LABEL: func @forward
// CHECK-NOT: parameter_gradient
// CHECK-LABEL: func @train_step
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
// CHECK: %[[ONE:.*]] = loom.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DZ:.*]] = loom.sparse_softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %[[ONE]]
// CHECK: %[[DB:.*]] = loom.reduce_sum %[[DZ]] {axes = [0]} : (tensor<4x5xf32>) -> tensor<5xf32>
// dW = dZ^T x for y = x W^T; x is an input, so it gets no adjoint.
// CHECK: %[[DW:.*]] = loom.matmul %[[DZ]], %{{.*}} {transpose_lhs} : (tensor<4x5xf32>, tensor<4x3xf32>) -> tensor<5x3xf32>
// CHECK-NOT: loom.matmul
// CHECK: loom.parameter_gradient "w" %[[DW]] : tensor<5x3xf32>
// CHECK: loom.parameter_gradient "b" %[[DB]] : tensor<5xf32>

// -----

// A scan saves the state entering each step and the sum its matmul starts (what tanh reads), and
// is differentiated by a reverse-time scan that carries the state adjoint and accumulates the
// captured weight's gradient.
// CHECK-LABEL: func @train_step
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
// CHECK: %{{.*}}, %[[SAVED:.*]]:2 = loom.scan carry(%{{.*}} : tensor<2x3xf32>) over(%{{.*}} : tensor<6x2x3xf32>) -> (tensor<2x3xf32>), (tensor<6x2x3xf32>, tensor<6x2x3xf32>)
// CHECK: %[[SUM:.*]] = loom.add
// CHECK: loom.yield %{{.*}}, %arg0, %[[SUM]] : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
// CHECK: %[[BPTT:.*]]:2 = loom.scan reverse carry(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x3xf32>) over(%[[SAVED]]#0, %[[SAVED]]#1, %{{.*}} : tensor<6x2x3xf32>, tensor<6x2x3xf32>, tensor<6x2x3xf32>) -> (tensor<2x3xf32>, tensor<3x3xf32>), ()
// The step is recomputed from the saved sum, not from the state through the matmul, then
// differentiated: the two matmuls left are the adjoints of the state and of the weight.
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x3xf32>, %[[STATE:.*]]: tensor<2x3xf32>, %[[SAVED_SUM:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<2x3xf32>):
// CHECK-NEXT: loom.tanh %[[SAVED_SUM]]
// CHECK-NOT: {transpose_rhs}
// CHECK: loom.matmul %{{.*}}, %{{.*}} :
// CHECK: loom.matmul %{{.*}}, %[[STATE]] {transpose_lhs}
// CHECK: loom.yield
// CHECK: loom.parameter_gradient "w" %[[BPTT]]#1 : tensor<3x3xf32>

// -----

// A model without a loss is for inference only.
// CHECK-LABEL: func @forward
// CHECK-NOT: func @train_step
module {
  func @forward() {
    %x = loom.input "x" : tensor<4x3xf32>
    loom.output "x" %x : tensor<4x3xf32>
    return
  }
}
