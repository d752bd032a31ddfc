// loom-hoist-sequence-ops moves per-step work that ignores the carried state out of a scan, batched.
// RUN: loom-opt %s -split-input-file -loom-hoist-sequence-ops | FileCheck %s

// The input projection and its bias become one GEMM and one bias_add over all steps; the scan then
// reads the projected sequence, and the raw input sequence, no longer read, is dropped. (With 2 rows a
// step, 512 KiB of weights are too many to stream at every step; see @fused_projection.)
// CHECK-LABEL: func @projection
func @projection() {
  %x = loom.input "x" : tensor<6x2x256xf32>
  %w = loom.parameter "w" : tensor<256x256xf32>
  %u = loom.parameter "u" : tensor<256x256xf32>
  %b = loom.parameter "b" : tensor<256xf32>
  %h0 = loom.constant dense<0.0> : tensor<2x256xf32>
  // CHECK: %[[FLAT:.*]] = loom.reshape %{{.*}} : (tensor<6x2x256xf32>) -> tensor<12x256xf32>
  // CHECK: %[[PRODUCT:.*]] = loom.matmul %[[FLAT]], %{{.*}} {transpose_rhs} : (tensor<12x256xf32>, tensor<256x256xf32>) -> tensor<12x256xf32>
  // CHECK: %[[STACKED:.*]] = loom.reshape %[[PRODUCT]] : (tensor<12x256xf32>) -> tensor<6x2x256xf32>
  // CHECK: %[[BIASED:.*]] = loom.bias_add %[[STACKED]], %{{.*}} : (tensor<6x2x256xf32>, tensor<256xf32>) -> tensor<6x2x256xf32>
  // CHECK: loom.scan carry(%{{.*}} : tensor<2x256xf32>) over(%[[BIASED]] : tensor<6x2x256xf32>)
  // CHECK-NEXT: ^bb0(%[[PREV:.*]]: tensor<2x256xf32>, %[[IN:.*]]: tensor<2x256xf32>):
  // CHECK-NEXT: %[[REC:.*]] = loom.matmul %[[PREV]]
  // CHECK-NEXT: loom.add %[[IN]], %[[REC]]
  %h = loom.scan carry(%h0 : tensor<2x256xf32>) over(%x : tensor<6x2x256xf32>) -> (tensor<2x256xf32>), () {
  ^bb0(%prev: tensor<2x256xf32>, %x_t: tensor<2x256xf32>):
    %p = loom.matmul %x_t, %w {transpose_rhs} : (tensor<2x256xf32>, tensor<256x256xf32>) -> tensor<2x256xf32>
    %q = loom.bias_add %p, %b : (tensor<2x256xf32>, tensor<256xf32>) -> tensor<2x256xf32>
    %r = loom.matmul %prev, %u {transpose_rhs} : (tensor<2x256xf32>, tensor<256x256xf32>) -> tensor<2x256xf32>
    %s = loom.add %q, %r : (tensor<2x256xf32>, tensor<2x256xf32>) -> tensor<2x256xf32>
    %n = loom.tanh %s : (tensor<2x256xf32>) -> tensor<2x256xf32>
    loom.yield %n : tensor<2x256xf32>
  }
  loom.output "h" %h : tensor<2x256xf32>
  return
}

// -----

// With weights small enough to stream at every step, the input projection stays in the body, added to the
// recurrent product: the step kernel accumulates both products in one register tile instead of reading a
// projection of every step from memory. Its bias stays with it; the scan still reads the raw input.
// CHECK-LABEL: func @fused_projection
func @fused_projection() {
  %x = loom.input "x" : tensor<6x32x3xf32>
  %w = loom.parameter "w" : tensor<4x3xf32>
  %u = loom.parameter "u" : tensor<4x4xf32>
  %b = loom.parameter "b" : tensor<4xf32>
  %c = loom.parameter "c" : tensor<4xf32>
  %h0 = loom.constant dense<0.0> : tensor<32x4xf32>
  // CHECK-NOT: loom.reshape
  // CHECK: loom.scan carry(%{{.*}} : tensor<32x4xf32>) over(%{{.*}} : tensor<6x32x3xf32>)
  // CHECK-NEXT: ^bb0(%[[PREV:.*]]: tensor<32x4xf32>, %[[IN:.*]]: tensor<32x3xf32>):
  // CHECK-NEXT: %[[P:.*]] = loom.matmul %[[IN]]
  // CHECK-NEXT: %[[Q:.*]] = loom.bias_add %[[P]]
  // CHECK-NEXT: %[[R:.*]] = loom.matmul %[[PREV]]
  // CHECK-NEXT: %[[S:.*]] = loom.bias_add %[[R]]
  // CHECK-NEXT: loom.add %[[Q]], %[[S]]
  %h = loom.scan carry(%h0 : tensor<32x4xf32>) over(%x : tensor<6x32x3xf32>) -> (tensor<32x4xf32>), () {
  ^bb0(%prev: tensor<32x4xf32>, %x_t: tensor<32x3xf32>):
    %p = loom.matmul %x_t, %w {transpose_rhs} : (tensor<32x3xf32>, tensor<4x3xf32>) -> tensor<32x4xf32>
    %q = loom.bias_add %p, %b : (tensor<32x4xf32>, tensor<4xf32>) -> tensor<32x4xf32>
    %r = loom.matmul %prev, %u {transpose_rhs} : (tensor<32x4xf32>, tensor<4x4xf32>) -> tensor<32x4xf32>
    %t = loom.bias_add %r, %c : (tensor<32x4xf32>, tensor<4xf32>) -> tensor<32x4xf32>
    %s = loom.add %q, %t : (tensor<32x4xf32>, tensor<32x4xf32>) -> tensor<32x4xf32>
    %n = loom.tanh %s : (tensor<32x4xf32>) -> tensor<32x4xf32>
    loom.yield %n : tensor<32x4xf32>
  }
  loom.output "h" %h : tensor<32x4xf32>
  return
}

// -----

// The same step whose projection is also read on its own: batched as usual, since keeping it would
// compute it twice.
// CHECK-LABEL: func @projection_read_twice
func @projection_read_twice() {
  %x = loom.input "x" : tensor<6x32x3xf32>
  %w = loom.parameter "w" : tensor<4x3xf32>
  %u = loom.parameter "u" : tensor<4x4xf32>
  %h0 = loom.constant dense<0.0> : tensor<32x4xf32>
  // CHECK: loom.reshape %{{.*}} : (tensor<6x32x3xf32>) -> tensor<192x3xf32>
  // CHECK: loom.scan
  // CHECK-NOT: loom.matmul %arg1
  %h = loom.scan carry(%h0 : tensor<32x4xf32>) over(%x : tensor<6x32x3xf32>) -> (tensor<32x4xf32>), () {
  ^bb0(%prev: tensor<32x4xf32>, %x_t: tensor<32x3xf32>):
    %p = loom.matmul %x_t, %w {transpose_rhs} : (tensor<32x3xf32>, tensor<4x3xf32>) -> tensor<32x4xf32>
    %r = loom.matmul %prev, %u {transpose_rhs} : (tensor<32x4xf32>, tensor<4x4xf32>) -> tensor<32x4xf32>
    %s = loom.add %p, %r : (tensor<32x4xf32>, tensor<32x4xf32>) -> tensor<32x4xf32>
    %n = loom.tanh %s : (tensor<32x4xf32>) -> tensor<32x4xf32>
    %m = loom.mul %n, %p : (tensor<32x4xf32>, tensor<32x4xf32>) -> tensor<32x4xf32>
    loom.yield %m : tensor<32x4xf32>
  }
  loom.output "h" %h : tensor<32x4xf32>
  return
}

// -----

// Work on the carried state stays; an element-wise op mixing a slice with a value from above
// would need a broadcast over time, so it stays too. The only sequence is kept: it fixes the steps.
// CHECK-LABEL: func @stays
func @stays() {
  %x = loom.input "x" : tensor<6x2x4xf32>
  %bias = loom.input "bias" : tensor<2x4xf32>
  %h0 = loom.constant dense<0.0> : tensor<2x4xf32>
  // CHECK-NOT: loom.reshape
  // CHECK: loom.scan carry(%{{.*}} : tensor<2x4xf32>) over(%{{.*}} : tensor<6x2x4xf32>)
  // CHECK: loom.add %arg1, %{{.*}}
  // CHECK: loom.tanh
  %h = loom.scan carry(%h0 : tensor<2x4xf32>) over(%x : tensor<6x2x4xf32>) -> (tensor<2x4xf32>), () {
  ^bb0(%prev: tensor<2x4xf32>, %x_t: tensor<2x4xf32>):
    %a = loom.add %x_t, %bias : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %s = loom.add %a, %prev : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %n = loom.tanh %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    loom.yield %n : tensor<2x4xf32>
  }
  loom.output "h" %h : tensor<2x4xf32>
  return
}

// -----

// A weight the body multiplies by transposed on the left is transposed once before the scan; the
// step's matmul then reads it without the flag. One read transposed on the right stays as it is:
// the code generator packs it into panels once, straight from the weight.
// CHECK-LABEL: func @weight_transposed_once
func @weight_transposed_once() {
  %x = loom.input "x" : tensor<6x2x4xf32>
  %u = loom.parameter "u" : tensor<4x4xf32>
  %v = loom.parameter "v" : tensor<2x2xf32>
  %h0 = loom.constant dense<0.0> : tensor<2x4xf32>
  // CHECK: %[[U:.*]] = loom.parameter "u"
  // CHECK: %[[VT:.*]] = loom.transpose %{{.*}} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  // CHECK-NOT: loom.transpose
  // CHECK: loom.scan
  // CHECK: loom.matmul %arg0, %[[U]] {transpose_rhs} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  // CHECK: loom.matmul %[[VT]], %arg0 : (tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %h = loom.scan carry(%h0 : tensor<2x4xf32>) over(%x : tensor<6x2x4xf32>) -> (tensor<2x4xf32>), () {
  ^bb0(%prev: tensor<2x4xf32>, %x_t: tensor<2x4xf32>):
    %r = loom.matmul %prev, %u {transpose_rhs} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %l = loom.matmul %v, %prev {transpose_lhs} : (tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %m = loom.add %r, %l : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %s = loom.add %x_t, %m : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    loom.yield %s : tensor<2x4xf32>
  }
  loom.output "h" %h : tensor<2x4xf32>
  return
}
