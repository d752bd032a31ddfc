// The DSL records an LSTM classifier with PyTorch's parameter names, shapes and gate order.
// RUN: loomc-tiny --model=lstm_classifier | FileCheck %s
// RUN: loomc-tiny --model=lstm_classifier --print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PASSES
// RUN: not loomc-tiny 2>&1 | FileCheck %s --check-prefix=WHICH

// CHECK: module @lstm_classifier attributes {loom.model = "lstm_classifier", loom.optimizer = {{{.*}}kind = "adam", learning_rate = 1.000000e-03 : f64, semantics = "pytorch"}}
// CHECK-LABEL: func @forward()
// CHECK: loom.parameter "lstm.weight_ih" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<16x3xf32>
// CHECK-NEXT: loom.parameter "lstm.weight_hh" {{.*}} : tensor<16x4xf32>
// CHECK-NEXT: loom.parameter "lstm.bias_ih" {{.*}} : tensor<16xf32>
// CHECK-NEXT: loom.parameter "lstm.bias_hh" {{.*}} : tensor<16xf32>
// CHECK-NEXT: loom.parameter "head.weight" {{.*}} : tensor<10x4xf32>
// CHECK-NEXT: loom.parameter "head.bias" {{.*}} : tensor<10xf32>
// CHECK: loom.input "images" : tensor<5x2x3xf32>
// The weights are small: each step keeps its input projection, added to the recurrent product, which the
// step kernel accumulates in one register tile (loom-hoist-sequence-ops keeps it in the body).
// CHECK: loom.scan carry({{.*}} : tensor<2x4xf32>, tensor<2x4xf32>) over({{.*}} : tensor<5x2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>), ()
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[REC:.*]] = loom.matmul %arg0
// CHECK-NEXT: %[[REC_B:.*]] = loom.bias_add %[[REC]]
// CHECK-NEXT: %[[IN:.*]] = loom.matmul %arg2
// CHECK-NEXT: %[[IN_B:.*]] = loom.bias_add %[[IN]]
// CHECK-NEXT: loom.add %[[IN_B]], %[[REC_B]]
// Gate order i, f, g, o: three sigmoids and a tanh on the four blocks.
// CHECK: loom.slice {{.*}} {axis = 1 : i64, size = 4 : i64, start = 0 : i64}
// CHECK-NEXT: loom.sigmoid
// CHECK: loom.slice {{.*}} {axis = 1 : i64, size = 4 : i64, start = 4 : i64}
// CHECK-NEXT: loom.sigmoid
// CHECK: loom.slice {{.*}} {axis = 1 : i64, size = 4 : i64, start = 8 : i64}
// CHECK-NEXT: loom.tanh
// CHECK: loom.slice {{.*}} {axis = 1 : i64, size = 4 : i64, start = 12 : i64}
// CHECK-NEXT: loom.sigmoid
// CHECK: loom.yield
// CHECK: loom.output "logits" {{.*}} : tensor<2x10xf32>
// CHECK: loom.argmax {{.*}} -> tensor<2xi32>
// CHECK: loom.sparse_softmax_cross_entropy {{.*}} -> tensor<f32>
// CHECK: loom.loss

// PASSES: IR Dump After VerifyModel
// PASSES: IR Dump After InferShapes
// PASSES: IR Dump After Canonicalizer
// PASSES: IR Dump After Autodiff
// PASSES: IR Dump After Optimizer
// PASSES: IR Dump After Canonicalizer
// PASSES: IR Dump After CSE

// WHICH: loomc: error: this loomc holds several models (lstm_classifier, rnn_tagger, dropout_tagger); pick one with --model=NAME

// The training function ends in one Adam update per parameter, with the DSL's hyperparameters.
// CHECK-LABEL: func @train_step()
// CHECK: loom.scan reverse
// CHECK-DAG: loom.adam_update "lstm.weight_ih" {{.*}}learning_rate = 1.000000e-03 : f64, semantics = "pytorch"} : tensor<16x3xf32>
// CHECK-DAG: loom.adam_update "lstm.weight_hh" {{.*}} : tensor<16x4xf32>
// CHECK-DAG: loom.adam_update "lstm.bias_ih" {{.*}} : tensor<16xf32>
// CHECK-DAG: loom.adam_update "lstm.bias_hh" {{.*}} : tensor<16xf32>
// CHECK-DAG: loom.adam_update "head.weight" {{.*}} : tensor<10x4xf32>
// CHECK-DAG: loom.adam_update "head.bias" {{.*}} : tensor<10xf32>
