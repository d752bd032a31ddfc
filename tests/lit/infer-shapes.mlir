// loom-infer-shapes gives every unranked result its static shape, inside scan bodies too.
// RUN: loom-opt %s -split-input-file -loom-infer-shapes | FileCheck %s

// CHECK-LABEL: func @dense_head
func @dense_head() {
  %x = loom.input "x" : tensor<4x28xf32>
  %w = loom.parameter "w" : tensor<10x28xf32>
  %b = loom.parameter "b" : tensor<10xf32>
  %labels = loom.input "labels" : tensor<4xi32>
  // CHECK: loom.matmul {{.*}} -> tensor<4x10xf32>
  %y = loom.matmul %x, %w {transpose_rhs} : (tensor<4x28xf32>, tensor<10x28xf32>) -> tensor<*xf32>
  // CHECK: loom.bias_add {{.*}} -> tensor<4x10xf32>
  %z = loom.bias_add %y, %b : (tensor<*xf32>, tensor<10xf32>) -> tensor<*xf32>
  // CHECK: loom.log_softmax {{.*}} -> tensor<4x10xf32>
  %p = loom.log_softmax %z : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: loom.reduce_max {{.*}} -> tensor<10xf32>
  %m = loom.reduce_max %p {axes = [0]} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: loom.argmax {{.*}} -> tensor<4xi32>
  %c = loom.argmax %z : (tensor<*xf32>) -> tensor<*xi32>
  // CHECK: loom.sparse_softmax_cross_entropy {{.*}} -> tensor<f32>
  %l = loom.sparse_softmax_cross_entropy %z, %labels : (tensor<*xf32>, tensor<4xi32>) -> tensor<*xf32>
  // CHECK: loom.output "class" %{{.*}} : tensor<4xi32>
  loom.output "class" %c : tensor<*xi32>
  loom.output "max" %m : tensor<*xf32>
  loom.loss %l : tensor<*xf32>
  return
}

// -----

// CHECK-LABEL: func @rnn_scan
func @rnn_scan() {
  %x = loom.input "x" : tensor<28x4x3xf32>
  %w = loom.parameter "w" : tensor<8x3xf32>
  %h0 = loom.constant dense<0.0> : tensor<4x8xf32>
  // CHECK: loom.scan carry(%{{.*}} : tensor<4x8xf32>) over(%{{.*}} : tensor<28x4x3xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>)
  // CHECK-NEXT: ^bb0(%{{.*}}: tensor<4x8xf32>, %{{.*}}: tensor<4x3xf32>):
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x3xf32>) -> (tensor<*xf32>), (tensor<*xf32>) {
  ^bb0(%h_prev: tensor<*xf32>, %x_t: tensor<*xf32>):
    // CHECK: loom.matmul {{.*}} -> tensor<4x8xf32>
    %in = loom.matmul %x_t, %w {transpose_rhs} : (tensor<*xf32>, tensor<8x3xf32>) -> tensor<*xf32>
    // CHECK: loom.add {{.*}} -> tensor<4x8xf32>
    %s = loom.add %in, %h_prev : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %n = loom.tanh %s : (tensor<*xf32>) -> tensor<*xf32>
    // CHECK: loom.yield %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x8xf32>
    loom.yield %n, %n : tensor<*xf32>, tensor<*xf32>
  }
  // CHECK: loom.slice {{.*}} -> tensor<27x4x8xf32>
  %tail = loom.slice %hs {axis = 0 : i64, start = 1 : i64, size = 27 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  loom.output "tail" %tail : tensor<*xf32>
  loom.output "h" %h : tensor<*xf32>
  return
}
