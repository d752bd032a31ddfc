// The canonicalizer removes identities that autodiff and fusion leave behind.
// RUN: loom-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
func @add_zero(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = loom.constant dense<0.0> : tensor<4x8xf32>
  // CHECK-NOT: loom.add
  // CHECK: return %[[X]]
  %y = loom.add %x, %zero : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
func @mul_one(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = loom.constant dense<1.0> : tensor<4x8xf32>
  // CHECK-NOT: loom.mul
  // CHECK: return %[[X]]
  %y = loom.mul %one, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Adding a non-zero constant stays.
// CHECK-LABEL: func @add_two
func @add_two(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %two = loom.constant dense<2.0> : tensor<4x8xf32>
  // CHECK: loom.add
  %y = loom.add %x, %two : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @whole_slice_and_same_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
func @whole_slice_and_same_reshape(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK-NOT: loom.slice
  // CHECK-NOT: loom.reshape
  // CHECK: return %[[X]]
  %s = loom.slice %x {axis = 1 : i64, start = 0 : i64, size = 8 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = loom.reshape %s : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// A per-step output nobody reads is dropped from the scan and its yield.
// CHECK-LABEL: func @unused_scan_output
// CHECK: %[[H:.*]] = loom.scan carry(%{{.*}} : tensor<2x3xf32>) over(%{{.*}} : tensor<5x2x3xf32>) -> (tensor<2x3xf32>), (tensor<5x2x3xf32>)
// CHECK: loom.yield %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>
func @unused_scan_output(%h0: tensor<2x3xf32>, %x: tensor<5x2x3xf32>) -> (tensor<2x3xf32>, tensor<5x2x3xf32>) {
  %h, %unused, %used = loom.scan carry(%h0 : tensor<2x3xf32>) over(%x : tensor<5x2x3xf32>) -> (tensor<2x3xf32>), (tensor<5x2x3xf32>, tensor<5x2x3xf32>) {
  ^bb0(%h_prev: tensor<2x3xf32>, %x_t: tensor<2x3xf32>):
    %a = loom.add %h_prev, %x_t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %t = loom.tanh %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
    loom.yield %t, %a, %t : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
  return %h, %used : tensor<2x3xf32>, tensor<5x2x3xf32>
}
