// loom-autodiff refuses what it cannot differentiate, on the op that stops it.
// RUN: loom-opt %s -split-input-file -loom-autodiff -verify-diagnostics

module {
  func @forward() {
    %w = loom.parameter "w" : tensor<4x3xf32>
    // expected-error @+1 {{'loom.reduce_max' op is not differentiable by loom-autodiff yet, but the loss depends on it through a parameter}}
    %m = loom.reduce_max %w {axes = [0, 1]} : (tensor<4x3xf32>) -> tensor<f32>
    loom.loss %m : tensor<f32>
    return
  }
}

// -----

module {
  func @forward() {
    %x = loom.input "x" : tensor<4x3xf32>
    %l = loom.reduce_sum %x {axes = [0, 1]} : (tensor<4x3xf32>) -> tensor<f32>
    // expected-error @+1 {{the loss does not depend on any parameter, so there is nothing to train}}
    loom.loss %l : tensor<f32>
    return
  }
}

// -----

// expected-error @+1 {{loom-autodiff needs a function @forward}}
module {
  func @predict() {
    return
  }
}
