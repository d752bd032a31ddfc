// loom-hoist-accumulators replaces per-step sums carried through a scan by one reduction after it.
// RUN: loom-opt %s -split-input-file -loom-hoist-accumulators | FileCheck %s

// A weight gradient (sum over steps of p_t^T q_t) and a bias gradient (sum of p_t over steps and
// rows) leave the scan: p_t becomes a per-step output, q_t is read from its sequence.
// CHECK-LABEL: func @gradients
func @gradients() {
  %x = loom.input "x" : tensor<6x2x3xf32>
  %d = loom.input "d" : tensor<6x2x4xf32>
  %u = loom.parameter "u" : tensor<4x4xf32>
  %h0 = loom.constant dense<0.0> : tensor<2x4xf32>
  %w0 = loom.constant dense<0.0> : tensor<4x3xf32>
  %b0 = loom.constant dense<0.0> : tensor<4xf32>
  // CHECK: %{{.*}}, %[[STEPS:.*]] = loom.scan reverse carry(%{{.*}} : tensor<2x4xf32>) over(%[[X:.*]], %{{.*}} : tensor<6x2x3xf32>, tensor<6x2x4xf32>) -> (tensor<2x4xf32>), (tensor<6x2x4xf32>)
  // CHECK-NOT: loom.reduce_sum
  // CHECK: loom.yield %[[P:.*]], %[[P]] : tensor<2x4xf32>, tensor<2x4xf32>
  // CHECK-DAG: %[[PS:.*]] = loom.reshape %[[STEPS]] : (tensor<6x2x4xf32>) -> tensor<12x4xf32>
  // CHECK-DAG: %[[XS:.*]] = loom.reshape %[[X]] : (tensor<6x2x3xf32>) -> tensor<12x3xf32>
  // CHECK: %[[DW:.*]] = loom.matmul %[[PS]], %[[XS]] {transpose_lhs} : (tensor<12x4xf32>, tensor<12x3xf32>) -> tensor<4x3xf32>
  // CHECK: loom.add %{{.*}}, %[[DW]]
  // CHECK: %[[PS2:.*]] = loom.reshape %[[STEPS]] : (tensor<6x2x4xf32>) -> tensor<12x4xf32>
  // CHECK: %[[DB:.*]] = loom.reduce_sum %[[PS2]] {axes = [0]} : (tensor<12x4xf32>) -> tensor<4xf32>
  // CHECK: loom.add %{{.*}}, %[[DB]]
  %dh, %dw, %db = loom.scan reverse carry(%h0, %w0, %b0 : tensor<2x4xf32>, tensor<4x3xf32>, tensor<4xf32>) over(%x, %d : tensor<6x2x3xf32>, tensor<6x2x4xf32>) -> (tensor<2x4xf32>, tensor<4x3xf32>, tensor<4xf32>), () {
  ^bb0(%dh_next: tensor<2x4xf32>, %w_acc: tensor<4x3xf32>, %b_acc: tensor<4xf32>, %x_t: tensor<2x3xf32>, %d_t: tensor<2x4xf32>):
    %p = loom.add %dh_next, %d_t : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %g = loom.matmul %p, %x_t {transpose_lhs} : (tensor<2x4xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
    %w_next = loom.add %w_acc, %g : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %s = loom.reduce_sum %p {axes = [0]} : (tensor<2x4xf32>) -> tensor<4xf32>
    %b_next = loom.add %s, %b_acc : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    loom.yield %p, %w_next, %b_next : tensor<2x4xf32>, tensor<4x3xf32>, tensor<4xf32>
  }
  loom.output "dh" %dh : tensor<2x4xf32>
  loom.output "dw" %dw : tensor<4x3xf32>
  loom.output "db" %db : tensor<4xf32>
  return
}

// -----

// An accumulator that also feeds the step is real carried state: it stays.
// CHECK-LABEL: func @state_not_sum
func @state_not_sum() {
  %x = loom.input "x" : tensor<6x2x4xf32>
  %h0 = loom.constant dense<0.0> : tensor<2x4xf32>
  // CHECK: loom.scan carry(%{{.*}} : tensor<2x4xf32>)
  %h = loom.scan carry(%h0 : tensor<2x4xf32>) over(%x : tensor<6x2x4xf32>) -> (tensor<2x4xf32>), () {
  ^bb0(%acc: tensor<2x4xf32>, %x_t: tensor<2x4xf32>):
    %t = loom.tanh %acc : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %n = loom.add %acc, %t : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    loom.yield %n : tensor<2x4xf32>
  }
  loom.output "h" %h : tensor<2x4xf32>
  return
}
