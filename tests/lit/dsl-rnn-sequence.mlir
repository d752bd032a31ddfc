// A SimpleRNN returning the full sequence stacks each step's state as a scan output.
// RUN: loomc-tiny --model=rnn_tagger | FileCheck %s
// RUN: not loomc-tiny --model=nope 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// CHECK: loom.parameter "rnn.weight_ih" {{.*}} : tensor<3x4xf32>
// CHECK: loom.parameter "rnn.weight_hh" {{.*}} : tensor<3x3xf32>
// CHECK: loom.scan carry({{.*}} : tensor<1x3xf32>) over({{.*}} : tensor<3x1x4xf32>) -> (tensor<1x3xf32>), (tensor<3x1x3xf32>)
// CHECK: %[[H:.*]] = loom.tanh
// CHECK: loom.yield %[[H]], %[[H]] : tensor<1x3xf32>, tensor<1x3xf32>
// CHECK: loom.output "states" {{.*}} : tensor<3x1x3xf32>

// UNKNOWN: loomc: error: no model named 'nope'; this loomc holds: lstm_classifier, rnn_tagger
