// loom-optimizer turns @train_step's parameter gradients into the model's optimizer updates.
// RUN: loom-opt %s -split-input-file -loom-optimizer -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @train_step
module attributes {loom.optimizer = {kind = "adam", learning_rate = 0.01 : f64, beta1 = 0.8 : f64, beta2 = 0.99 : f64, epsilon = 1.0e-07 : f64}} {
  func @train_step(%g: tensor<5x3xf32>) {
    // CHECK-NOT: loom.parameter_gradient
    // CHECK: loom.adam_update "w" %{{.*}} {beta1 = 8.000000e-01 : f64, beta2 = 0.98999{{[0-9]*}} : f64, epsilon = 9.99999{{[0-9]*}}E-8 : f64, learning_rate = 1.000000e-02 : f64, semantics = "pytorch"} : tensor<5x3xf32>
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

// expected-error @+1 {{unknown optimizer "lion" in loom.optimizer; Loom knows "sgd", "adam" and "rmsprop"}}
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

// -----

// SGD with Keras semantics and RMSprop keep their hyperparameters and semantics.
// CHECK-LABEL: func @train_step
module attributes {loom.optimizer = {kind = "sgd", learning_rate = 0.1 : f64, momentum = 0.9 : f64, semantics = "keras"}} {
  func @train_step(%g: tensor<5x3xf32>) {
    // CHECK: loom.sgd_update "w" %{{.*}} {learning_rate = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, semantics = "keras"} : tensor<5x3xf32>
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}

// -----

// CHECK-LABEL: func @train_step
module attributes {loom.optimizer = {kind = "rmsprop", learning_rate = 0.01 : f64, rho = 0.9 : f64, epsilon = 1.0e-07 : f64}} {
  func @train_step(%g: tensor<5x3xf32>) {
    // CHECK: loom.rmsprop_update "w" %{{.*}} {epsilon = {{.*}}, learning_rate = {{.*}}, rho = {{.*}}, semantics = "pytorch"} : tensor<5x3xf32>
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}

// -----

// Global-norm clipping (PyTorch): one factor min(1, max_norm / (norm + 1e-6)) from the norm of
// all gradients together scales every gradient before its update.
// CHECK-LABEL: func @train_step
module attributes {loom.optimizer = {kind = "sgd", learning_rate = 0.1 : f64, momentum = 0.0 : f64}, loom.clip_global_norm = {max_norm = 0.5 : f64}} {
  func @train_step(%a: tensor<5x3xf32>, %b: tensor<3xf32>) {
    // CHECK: %[[A2:.*]] = loom.mul %arg0, %arg0
    // CHECK: %[[SA:.*]] = loom.reduce_sum %[[A2]] {axes = [0, 1]}
    // CHECK: %[[B2:.*]] = loom.mul %arg1, %arg1
    // CHECK: %[[SB:.*]] = loom.reduce_sum %[[B2]] {axes = [0]}
    // CHECK: %[[SUM:.*]] = loom.add %[[SA]], %[[SB]]
    // CHECK: %[[NORM:.*]] = loom.sqrt %[[SUM]]
    // CHECK: %[[PADDED:.*]] = loom.add %[[NORM]]
    // CHECK: %[[RATIO:.*]] = loom.div %{{.*}}, %[[PADDED]]
    // CHECK: %[[FACTOR:.*]] = loom.minimum %[[RATIO]]
    // CHECK: %[[FA:.*]] = loom.broadcast %[[FACTOR]] {axes = [0, 1], shape = [5, 3]}
    // CHECK: %[[CA:.*]] = loom.mul %arg0, %[[FA]]
    // CHECK: %[[FB:.*]] = loom.broadcast %[[FACTOR]] {axes = [0], shape = [3]}
    // CHECK: %[[CB:.*]] = loom.mul %arg1, %[[FB]]
    // CHECK: loom.sgd_update "a" %[[CA]]
    // CHECK: loom.sgd_update "b" %[[CB]]
    loom.parameter_gradient "a" %a : tensor<5x3xf32>
    loom.parameter_gradient "b" %b : tensor<3xf32>
    return
  }
}

// -----

// expected-error @+1 {{loom.clip_global_norm is missing the float 'max_norm'}}
module attributes {loom.optimizer = {kind = "sgd", learning_rate = 0.1 : f64, momentum = 0.0 : f64}, loom.clip_global_norm = {}} {
  func @train_step(%g: tensor<5x3xf32>) {
    loom.parameter_gradient "w" %g : tensor<5x3xf32>
    return
  }
}

// -----

func @bad_semantics(%g: tensor<5x3xf32>) {
  // expected-error @+1 {{'loom.sgd_update' op has semantics "tensorflow"; Loom knows "pytorch" and "keras"}}
  loom.sgd_update "w" %g {learning_rate = 0.1 : f64, momentum = 0.0 : f64, semantics = "tensorflow"} : tensor<5x3xf32>
  return
}
