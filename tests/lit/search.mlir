// Beam search's ops: shape rules and their errors.
// RUN: loom-opt %s -split-input-file -loom-infer-shapes -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @shapes
func @shapes(%scores: tensor<8x168xf32>, %states: tensor<8x4x256xf32>, %symbols: tensor<8x4xi32>, %pick: tensor<8x1xi32>) {
  // CHECK: loom.top_k {{.*}} -> tensor<8x4xi32>
  %best = loom.top_k %scores {k = 4 : i64} : (tensor<8x168xf32>) -> tensor<*xi32>
  // CHECK: loom.gather_beams {{.*}} -> tensor<8x4x256xf32>
  %h = loom.gather_beams %states, %symbols : (tensor<8x4x256xf32>, tensor<8x4xi32>) -> tensor<*xf32>
  // CHECK: loom.gather_beams {{.*}} -> tensor<8x1xi32>
  %s = loom.gather_beams %symbols, %pick : (tensor<8x4xi32>, tensor<8x1xi32>) -> tensor<*xi32>
  // CHECK: loom.quotient {{.*}} -> tensor<8x4xi32>
  %q = loom.quotient %symbols {divisor = 42 : i64} : (tensor<8x4xi32>) -> tensor<*xi32>
  // CHECK: loom.remainder {{.*}} -> tensor<8x4xi32>
  %r = loom.remainder %symbols {divisor = 42 : i64} : (tensor<8x4xi32>) -> tensor<*xi32>
  return
}

// -----

func @top_k_needs_k_entries(%scores: tensor<8x3xf32>) {
  // expected-error @+1 {{'loom.top_k' op needs an operand [..., N] with N >= k = 4, got [8, 3]}}
  %best = loom.top_k %scores {k = 4 : i64} : (tensor<8x3xf32>) -> tensor<*xi32>
  return
}

// -----

func @gather_beams_needs_one_row_per_example(%states: tensor<8x4x2xf32>, %picks: tensor<7x4xi32>) {
  // expected-error @+1 {{'loom.gather_beams' op needs input [B, K, ...] and indices [B, J], got [8, 4, 2] and [7, 4]}}
  %h = loom.gather_beams %states, %picks : (tensor<8x4x2xf32>, tensor<7x4xi32>) -> tensor<*xf32>
  return
}

// -----

func @division_by_zero(%x: tensor<4xi32>) {
  // expected-error @+1 {{'loom.quotient' op needs a positive divisor, got 0}}
  %q = loom.quotient %x {divisor = 0 : i64} : (tensor<4xi32>) -> tensor<*xi32>
  return
}

// -----

func @top_k_of_ids(%x: tensor<4xi32>) {
  // expected-error @+1 {{'loom.top_k' op operand #0 must be tensor of 32-bit float values}}
  %q = loom.top_k %x {k = 1 : i64} : (tensor<4xi32>) -> tensor<*xi32>
  return
}
