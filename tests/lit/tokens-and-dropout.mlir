// Token ids, masks and dropout: shape rules and their errors.
// RUN: loom-opt %s -split-input-file -loom-infer-shapes -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @shapes
func @shapes(%table: tensor<9x5xf32>, %ids: tensor<6x4xi32>, %lengths: tensor<4xi32>, %d: tensor<6x4x5xf32>) {
  // CHECK: loom.gather {{.*}} -> tensor<6x4x5xf32>
  %e = loom.gather %table, %ids : (tensor<9x5xf32>, tensor<6x4xi32>) -> tensor<*xf32>
  // CHECK: loom.scatter_add {{.*}} -> tensor<9x5xf32>
  %g = loom.scatter_add %ids, %d {rows = 9 : i64} : (tensor<6x4xi32>, tensor<6x4x5xf32>) -> tensor<*xf32>
  // CHECK: loom.one_hot {{.*}} -> tensor<6x4x7xf32>
  %o = loom.one_hot %ids {depth = 7 : i64} : (tensor<6x4xi32>) -> tensor<*xf32>
  // CHECK: loom.sequence_mask {{.*}} -> tensor<6x4xf32>
  %m = loom.sequence_mask %lengths {steps = 6 : i64} : (tensor<4xi32>) -> tensor<*xf32>
  return
}

// -----

func @gather_needs_a_matrix(%table: tensor<9xf32>, %ids: tensor<6xi32>) {
  // expected-error @+1 {{'loom.gather' op needs a table [rows, features], got [9]}}
  %e = loom.gather %table, %ids : (tensor<9xf32>, tensor<6xi32>) -> tensor<*xf32>
  return
}

// -----

func @scatter_shapes(%ids: tensor<6x4xi32>, %d: tensor<6x5xf32>) {
  // expected-error @+1 {{'loom.scatter_add' op needs updates [d..., features] for indices [d...], got indices [6, 4] and updates [6, 5]}}
  %g = loom.scatter_add %ids, %d {rows = 9 : i64} : (tensor<6x4xi32>, tensor<6x5xf32>) -> tensor<*xf32>
  return
}

// -----

func @mask_needs_a_vector(%lengths: tensor<4x2xi32>) {
  // expected-error @+1 {{'loom.sequence_mask' op needs lengths [batch], got [4, 2]}}
  %m = loom.sequence_mask %lengths {steps = 6 : i64} : (tensor<4x2xi32>) -> tensor<*xf32>
  return
}

// -----

func @dropout_rate(%x: tensor<4x3xf32>, %s: tensor<2xi32>) {
  // expected-error @+1 {{'loom.dropout' op needs a rate in [0, 1), got 1}}
  %y = loom.dropout %x, %s {rate = 1.0 : f64, stream = 0 : i64} : (tensor<4x3xf32>, tensor<2xi32>) -> tensor<*xf32>
  return
}

// -----

func @dropout_in_scan(%h0: tensor<2x3xf32>, %x: tensor<5x2x3xf32>, %s: tensor<2xi32>) {
  %h = loom.scan carry(%h0 : tensor<2x3xf32>) over(%x : tensor<5x2x3xf32>) -> (tensor<2x3xf32>), () {
  ^bb0(%h_prev: tensor<2x3xf32>, %x_t: tensor<2x3xf32>):
    // expected-error @+1 {{'loom.dropout' op is inside a loom.scan, where every step would drop the same entries; apply dropout to the whole sequence instead}}
    %d = loom.dropout %x_t, %s {rate = 0.5 : f64, stream = 0 : i64} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
    loom.yield %d : tensor<2x3xf32>
  }
  return
}
