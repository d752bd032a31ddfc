// loomc compiles a model given as a .mlir file (here a tanh RNN tagger written by hand, trained with
// SGD): the IR after the pipeline, the generated class, each kernel's schedule and lowered
// statement, the IR after every pass, and errors that say what to do.
// RUN: loomc %s | FileCheck %s --check-prefix=IR
// RUN: loomc %s --emit=header | FileCheck %s --check-prefix=HEADER
// RUN: loomc %s --emit=header --name=renamed | FileCheck %s --check-prefix=RENAMED
// RUN: loomc %s --emit=schedule --target=x86-64-linux-avx2-fma | FileCheck %s --check-prefix=SCHEDULE
// RUN: loomc %s --emit=stmt --target=x86-64-linux-avx2-fma | FileCheck %s --check-prefix=STMT
// RUN: loomc %s --print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=PASSES
// RUN: loomc %s | not loomc - 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: loomc %s | loomc - --no-passes --emit=header | FileCheck %s --check-prefix=HEADER
// RUN: not loomc %s --emit=library 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: not loomc %s --emit=library -o %t --target=x86-64-linux-nonsense 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not loomc %s --emit=assembly 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not loomc %s --name=9lives 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not loomc %t.missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not loomc 2>&1 | FileCheck %s --check-prefix=NOINPUT
// RUN: echo 'module { func @forward() { loom.bogus } }' | not loomc - 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: loomc --help | FileCheck %s --check-prefix=HELP

// IR: func @forward()
// IR: func @train_step()
// IR: loom.scan reverse

// HEADER: class tagger {
// HEADER: std::span<float> words();
// HEADER: std::span<const float> states() const;
// HEADER: float train_step();

// RENAMED: class renamed {

// SCHEDULE: // tagger_forward_
// SCHEDULE: produce
// SCHEDULE: vectorized

// STMT: // tagger_forward_
// STMT: module name={{.*}}, target=x86-64-linux-avx2-fma
// STMT: produce

// PASSES: IR Dump After VerifyModel
// PASSES: IR Dump After Autodiff
// PASSES: IR Dump After Optimizer

// TWICE: loomc: error: the module already went through the pass pipeline (it has @train_step); add --no-passes to compile it as it is
// NODIR: loomc: error: --emit=library writes several files: give their directory with -o DIR
// TARGET: loomc: error: 'x86-64-linux-nonsense' is not a Halide target string (for example x86-64-linux-avx-avx2-f16c-fma-sse41)
// KIND: --emit: assembly not in {header,ir,library,schedule,source,stmt}
// NAME: loomc: error: the model name '9lives' is not a C++ identifier, which it must be to name the generated class; give one with --name=NAME
// MISSING: loomc: error: cannot open input file '{{.*}}.missing.mlir': No such file or directory
// NOINPUT: input is required
// BAD: <stdin>:1:28: error: custom op 'loom.bogus' is unknown
// BAD: loomc: error: '-' is not a valid loom module (see the diagnostics above)
// HELP: Usage: loomc [OPTIONS] input
// HELP: --emit KIND

module @tagger attributes {loom.model = "tagger", loom.optimizer = {kind = "sgd", learning_rate = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, semantics = "pytorch"}} {
  func @forward() {
    %w = loom.parameter "rnn.weight_ih" {init = "uniform", scale = 0.5 : f64} : tensor<3x4xf32>
    %u = loom.parameter "rnn.weight_hh" {init = "uniform", scale = 0.5 : f64} : tensor<3x3xf32>
    %b = loom.parameter "rnn.bias" {init = "uniform", scale = 0.5 : f64} : tensor<3xf32>
    %words = loom.input "words" : tensor<3x2x4xf32>
    %tags = loom.input "tags" : tensor<6xi32>
    %h0 = loom.constant dense<0.000000e+00> : tensor<2x3xf32>
    %final, %states = loom.scan carry(%h0 : tensor<2x3xf32>) over(%words : tensor<3x2x4xf32>) -> (tensor<2x3xf32>), (tensor<3x2x3xf32>) {
    ^bb0(%h: tensor<2x3xf32>, %x: tensor<2x4xf32>):
      %in = loom.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
      %rec = loom.matmul %h, %u {transpose_rhs} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
      %sum = loom.add %in, %rec : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      %pre = loom.bias_add %sum, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %next = loom.tanh %pre : (tensor<2x3xf32>) -> tensor<2x3xf32>
      loom.yield %next, %next : tensor<2x3xf32>, tensor<2x3xf32>
    }
    loom.output "states" %states : tensor<3x2x3xf32>
    %logits = loom.reshape %states : (tensor<3x2x3xf32>) -> tensor<6x3xf32>
    %loss = loom.sparse_softmax_cross_entropy %logits, %tags : (tensor<6x3xf32>, tensor<6xi32>) -> tensor<f32>
    loom.loss %loss : tensor<f32>
    return
  }
}
