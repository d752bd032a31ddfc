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

// A chain of reshapes is one reshape of the first input, or none when it ends in its shape.
// CHECK-LABEL: func @reshape_chains
// CHECK-SAME: (%[[X:.*]]: tensor<6x4xf32>)
func @reshape_chains(%x: tensor<6x4xf32>) -> (tensor<6x4xf32>, tensor<24xf32>) {
  // CHECK: %[[FLAT:.*]] = loom.reshape %[[X]] : (tensor<6x4xf32>) -> tensor<24xf32>
  // CHECK-NOT: loom.reshape
  // CHECK: return %[[X]], %[[FLAT]]
  %a = loom.reshape %x : (tensor<6x4xf32>) -> tensor<6x1x4xf32>
  %b = loom.reshape %a : (tensor<6x1x4xf32>) -> tensor<6x4xf32>
  %c = loom.reshape %a : (tensor<6x1x4xf32>) -> tensor<2x3x4xf32>
  %d = loom.reshape %c : (tensor<2x3x4xf32>) -> tensor<24xf32>
  return %b, %d : tensor<6x4xf32>, tensor<24xf32>
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

// -----

// The adjoints of four gate slices, each padded with zeros, add up to one concatenation of the four.
// CHECK-LABEL: func @gate_adjoints
// CHECK-SAME: (%[[I:.*]]: tensor<2x3xf32>, %[[F:.*]]: tensor<2x3xf32>, %[[G:.*]]: tensor<2x3xf32>, %[[O:.*]]: tensor<2x3xf32>)
func @gate_adjoints(%i: tensor<2x3xf32>, %f: tensor<2x3xf32>, %g: tensor<2x3xf32>, %o: tensor<2x3xf32>) -> tensor<2x12xf32> {
  %z3 = loom.constant dense<0.0> : tensor<2x3xf32>
  %z6 = loom.constant dense<0.0> : tensor<2x6xf32>
  %z9 = loom.constant dense<0.0> : tensor<2x9xf32>
  %po = loom.concat %z9, %o {axis = 1 : i64} : (tensor<2x9xf32>, tensor<2x3xf32>) -> tensor<2x12xf32>
  %pg = loom.concat %z6, %g, %z3 {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x12xf32>
  %a = loom.add %po, %pg : (tensor<2x12xf32>, tensor<2x12xf32>) -> tensor<2x12xf32>
  %pf = loom.concat %z3, %f, %z6 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x6xf32>) -> tensor<2x12xf32>
  %b = loom.add %a, %pf : (tensor<2x12xf32>, tensor<2x12xf32>) -> tensor<2x12xf32>
  %pi = loom.concat %i, %z9 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x9xf32>) -> tensor<2x12xf32>
  %c = loom.add %b, %pi : (tensor<2x12xf32>, tensor<2x12xf32>) -> tensor<2x12xf32>
  // CHECK-NOT: loom.add
  // CHECK: %[[ALL:.*]] = loom.concat %[[I]], %[[F]], %[[G]], %[[O]] {axis = 1 : i64}
  // CHECK-NEXT: return %[[ALL]]
  return %c : tensor<2x12xf32>
}

// -----

// Pieces that overlap a nonzero piece of the other side stay a sum; zeros both sides share become
// one zero piece.
// CHECK-LABEL: func @overlapping_pieces
func @overlapping_pieces(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %z2 = loom.constant dense<0.0> : tensor<2x2xf32>
  %z4 = loom.constant dense<0.0> : tensor<2x4xf32>
  %px = loom.concat %x, %z4 {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %py = loom.concat %z2, %y, %z2 {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x4xf32>, tensor<2x2xf32>) -> tensor<2x8xf32>
  // CHECK: %[[ZEROS:.*]] = loom.constant dense<0.000000e+00> : tensor<2x4xf32>
  // CHECK: loom.add
  %overlap = loom.add %px, %py : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %y2 = loom.slice %y {axis = 1 : i64, start = 0 : i64, size = 2 : i64} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  %a = loom.concat %y2, %z2, %z4 {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %b = loom.concat %z4, %z2, %y2 {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x8xf32>
  // CHECK: loom.concat %{{.*}}, %[[ZEROS]], %{{.*}} {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x4xf32>, tensor<2x2xf32>)
  %disjoint = loom.add %a, %b : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %overlap, %disjoint : tensor<2x8xf32>, tensor<2x8xf32>
}
