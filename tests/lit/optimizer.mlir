// loom-optimizer turns @train_step's parameter gradients into the model's optimizer updates.
// RUN: loom-opt %s -split-input-file -loom-optimizer -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @train_step
module attributes {loom.optimizer = {kind = "adam", learning_rate = 0.01 : f64, beta1 = 0.8 : f64, beta2 = 0.99 : f64, epsilon = 1.0e-07 : f64}} {
  func @train_step(%g: tensor<5x3xf32>) {
    // CHECK-NOT: loom.parameter_gradient
    // CHECK: loom.adam_update "w" %{{.*}} {beta1 = 8.000000e-01 : f64, beta2 = 0.98999{{[0-9]*}} : f64, epsilon = 9.99999{{[0-9]*}}E-8 : f64, learning_rate = 1.000000e-02 : f64} : tensor<5x3xf32>
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}

// -----

// expected-error @+1 {{@train_step has parameter gradients but the module names no optimizer (attribute loom.optimizer, set by model.minimize)}}
module {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}

// -----

// expected-error @+1 {{unknown optimizer "lion" in loom.optimizer; Loom knows "adam"}}
module attributes {loom.optimizer = {kind = "lion"}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}

// -----

// expected-error @+1 {{loom.optimizer is missing the float 'beta2'}}
module attributes {loom.optimizer = {kind = "adam", learning_rate = 0.01 : f64, beta1 = 0.8 : f64, epsilon = 1.0e-07 : f64}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}
