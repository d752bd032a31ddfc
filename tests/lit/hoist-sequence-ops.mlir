// loom-hoist-sequence-ops moves per-step work that ignores the carried state out of a scan, batched.
// RUN: loom-opt %s -split-input-file -loom-hoist-sequence-ops | FileCheck %s

// The input projection and its bias become one GEMM and one bias_add over all steps; the scan then
// reads the projected sequence, and the raw input sequence, no longer read, is dropped.
// CHECK-LABEL: func @projection
func @projection() {
  %x = loom.input "x" : tensor<6x2x3xf32>
  %w = loom.parameter "w" : tensor<4x3xf32>
  %u = loom.parameter "u" : tensor<4x4xf32>
  %b = loom.parameter "b" : tensor<4xf32>
  %h0 = loom.constant dense<0.0> : tensor<2x4xf32>
  // CHECK: %[[FLAT:.*]] = loom.reshape %{{.*}} : (tensor<6x2x3xf32>) -> tensor<12x3xf32>
  // CHECK: %[[PRODUCT:.*]] = loom.matmul %[[FLAT]], %{{.*}} {transpose_rhs} : (tensor<12x3xf32>, tensor<4x3xf32>) -> tensor<12x4xf32>
  // CHECK: %[[STACKED:.*]] = loom.reshape %[[PRODUCT]] : (tensor<12x4xf32>) -> tensor<6x2x4xf32>
  // CHECK: %[[BIASED:.*]] = loom.bias_add %[[STACKED]], %{{.*}} : (tensor<6x2x4xf32>, tensor<4xf32>) -> tensor<6x2x4xf32>
  // CHECK: loom.scan carry(%{{.*}} : tensor<2x4xf32>) over(%[[BIASED]] : tensor<6x2x4xf32>)
  // CHECK-NEXT: ^bb0(%[[PREV:.*]]: tensor<2x4xf32>, %[[IN:.*]]: tensor<2x4xf32>):
  // CHECK-NEXT: %[[REC:.*]] = loom.matmul %[[PREV]]
  // CHECK-NEXT: loom.add %[[IN]], %[[REC]]
  %h = loom.scan carry(%h0 : tensor<2x4xf32>) over(%x : tensor<6x2x3xf32>) -> (tensor<2x4xf32>), () {
  ^bb0(%prev: tensor<2x4xf32>, %x_t: tensor<2x3xf32>):
    %p = loom.matmul %x_t, %w {transpose_rhs} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
    %q = loom.bias_add %p, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %r = loom.matmul %prev, %u {transpose_rhs} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %s = loom.add %q, %r : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %n = loom.tanh %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    loom.yield %n : tensor<2x4xf32>
  }
  loom.output "h" %h : tensor<2x4xf32>
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
