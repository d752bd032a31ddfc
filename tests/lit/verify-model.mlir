// loom-verify-model: names are unique per kind and a model has at most one loss.
// RUN: loom-opt %s -split-input-file -loom-verify-model -verify-diagnostics

func @duplicate_parameter() {
  // expected-remark @+1 {{first declared here}}
  %a = loom.parameter "lstm.weight_ih" : tensor<4x4xf32>
  // expected-error @+1 {{model parameter 'lstm.weight_ih' is declared twice}}
  %b = loom.parameter "lstm.weight_ih" : tensor<4x8xf32>
  return
}

// -----

func @duplicate_output(%x: tensor<4xf32>) {
  // expected-remark @+1 {{first declared here}}
  loom.output "y" %x : tensor<4xf32>
  // expected-error @+1 {{model output 'y' is declared twice}}
  loom.output "y" %x : tensor<4xf32>
  return
}

// -----

func @empty_input_name() {
  // expected-error @+1 {{a model input needs a non-empty name}}
  %x = loom.input "" : tensor<4xf32>
  return
}

// -----

func @two_losses(%l: tensor<f32>) {
  // expected-remark @+1 {{the first loss is here}}
  loom.loss %l : tensor<f32>
  // expected-error @+1 {{a model has at most one loss}}
  loom.loss %l : tensor<f32>
  return
}

// -----

// An input and a parameter may share a name: they are different kinds.
// CHECK-NOT is not needed: -verify-diagnostics fails on any unexpected diagnostic.
func @kinds_are_separate() {
  %x = loom.input "x" : tensor<4xf32>
  %w = loom.parameter "x" : tensor<4xf32>
  loom.output "x" %x : tensor<4xf32>
  return
}
