// loomc compiles a model given as a .mlir file (the outside project's tanh RNN tagger, written by
// hand and trained with SGD): the IR after the pipeline, the generated class, each kernel's
// schedule and lowered statement, the IR after every pass, and errors that say what to do.
// RUN: loomc %S/../package/consumer/tagger.mlir | FileCheck %s --check-prefix=IR
// RUN: loomc %S/../package/consumer/tagger.mlir --emit=header | FileCheck %s --check-prefix=HEADER
// RUN: loomc %S/../package/consumer/tagger.mlir --emit=header --name=renamed | FileCheck %s --check-prefix=RENAMED
// RUN: loomc %S/../package/consumer/tagger.mlir --emit=schedule --target=x86-64-linux-avx2-fma | FileCheck %s --check-prefix=SCHEDULE
// RUN: loomc %S/../package/consumer/tagger.mlir --emit=stmt --target=x86-64-linux-avx2-fma | FileCheck %s --check-prefix=STMT
// RUN: loomc %S/../package/consumer/tagger.mlir --print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=PASSES
// RUN: loomc %S/../package/consumer/tagger.mlir | not loomc - 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: loomc %S/../package/consumer/tagger.mlir | loomc - --no-passes --emit=header | FileCheck %s --check-prefix=HEADER
// RUN: not loomc %S/../package/consumer/tagger.mlir --emit=library 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: not loomc %S/../package/consumer/tagger.mlir --emit=library -o %t --target=x86-64-linux-nonsense 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not loomc %S/../package/consumer/tagger.mlir --emit=assembly 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not loomc %S/../package/consumer/tagger.mlir --name=9lives 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not loomc %t.missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not loomc 2>&1 | FileCheck %s --check-prefix=NOINPUT
// RUN: echo 'module { func @forward() { loom.bogus } }' | not loomc - 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: loomc --help | FileCheck %s --check-prefix=HELP
// RUN: echo 'module { func @forward() { %%x = loom.input "steps" : tensor<2xf32> loom.output "y" %%x : tensor<2xf32> return } }' | not loomc - --name=m --emit=header 2>&1 | FileCheck %s --check-prefix=CLASH
// RUN: echo 'module { func @forward() { %%x = loom.input "x" : tensor<2xf32> loom.output "x.shape" %%x : tensor<2xf32> return } }' | not loomc - --name=m --emit=header 2>&1 | FileCheck %s --check-prefix=CLASH2

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
// CLASH: loomc: error: model 'm': the input 'steps' would be the member steps of the generated class, which is already steps(), the optimizer steps taken; rename the input
// CLASH2: loomc: error: model 'm': the output 'x.shape' would be the member x_shape of the generated class, which is already the input 'x'; rename the output
// HELP: Usage: loomc [OPTIONS] input
// HELP: --emit KIND
