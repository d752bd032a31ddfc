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
