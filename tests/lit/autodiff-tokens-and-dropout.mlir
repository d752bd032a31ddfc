// Adjoints of gather, relu and dropout, and loom-inference-mode taking dropout out of @forward.
// RUN: loom-opt %s -loom-autodiff -loom-inference-mode | FileCheck %s --check-prefix=GRAD

// An embedding's gradient is a scatter-add of the adjoint into the table's rows; relu's adjoint is
// masked by heaviside(y); dropout's adjoint is the same dropout (same state and stream). @forward
// (inference) loses its dropout; @train_step keeps it.
// GRAD-LABEL: func @forward
// GRAD-NOT: loom.dropout
// GRAD-LABEL: func @train_step
// GRAD: %[[STATE:.*]] = loom.random_state
// GRAD: %[[E:.*]] = loom.gather
// GRAD: %[[D:.*]] = loom.dropout %[[E]], %[[STATE]] {rate = 5.000000e-01 : f64, stream = 3 : i64}
// GRAD: %[[Y:.*]] = loom.relu %[[D]]
// GRAD: %[[STEP:.*]] = loom.heaviside %[[Y]]
// GRAD: %[[DY:.*]] = loom.mul %{{.*}}, %[[STEP]]
// GRAD: %[[DD:.*]] = loom.dropout %[[DY]], %[[STATE]] {rate = 5.000000e-01 : f64, stream = 3 : i64}
// GRAD: %[[DT:.*]] = loom.scatter_add %{{.*}}, %[[DD]] {rows = 9 : i64} : (tensor<6x4xi32>, tensor<6x4x5xf32>) -> tensor<9x5xf32>
// GRAD: loom.parameter_gradient "table" %[[DT]]
module {
  func @forward() {
    %table = loom.parameter "table" : tensor<9x5xf32>
    %state = loom.random_state : tensor<2xi32>
    %ids = loom.input "ids" : tensor<6x4xi32>
    %e = loom.gather %table, %ids : (tensor<9x5xf32>, tensor<6x4xi32>) -> tensor<6x4x5xf32>
    %d = loom.dropout %e, %state {rate = 0.5 : f64, stream = 3 : i64} : (tensor<6x4x5xf32>, tensor<2xi32>) -> tensor<6x4x5xf32>
    %y = loom.relu %d : (tensor<6x4x5xf32>) -> tensor<6x4x5xf32>
    %l = loom.reduce_sum %y {axes = [0, 1, 2]} : (tensor<6x4x5xf32>) -> tensor<f32>
    loom.loss %l : tensor<f32>
    return
  }
}
