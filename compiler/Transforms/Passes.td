// Loom's passes, in the order the pipeline (Pipeline.cpp) runs them.
#ifndef LOOM_PASSES_TD
#define LOOM_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Checking and shapes
//===----------------------------------------------------------------------===//

def VerifyModel : Pass<"loom-verify-model", "::mlir::ModuleOp"> {
  let summary = "Checks model-level rules that single ops cannot see";
  let description = [{
    Input, parameter and output names are unique and non-empty, a parameter
    name is declared once, and a model has at most one `loom.loss`.
  }];
  let constructor = "::loom::createVerifyModelPass()";
}

def InferShapes : Pass<"loom-infer-shapes", "::mlir::FuncOp"> {
  let summary = "Gives every value a static shape";
  let description = [{
    Propagates shapes forward from inputs, parameters and constants through
    every op's shape rule, entering `loom.scan` bodies. Fails, naming the op,
    where a rule fails or a shape stays unknown.
  }];
  let constructor = "::loom::createInferShapesPass()";
  let dependentDialects = ["::loom::LoomDialect"];
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def Autodiff : Pass<"loom-autodiff", "::mlir::ModuleOp"> {
  let summary = "Builds @train_step: the forward pass, then the loss's gradients";
  let description = [{
    Reverse-mode differentiation of the model's `loom.loss` with respect to
    every parameter, ending in one `loom.parameter_gradient` per parameter.
    A `loom.scan` becomes a reverse-time scan (backprop through time) that
    recomputes each step from the state the forward scan saved. A model with
    no loss is left as it is.
  }];
  let constructor = "::loom::createAutodiffPass()";
}

def Optimizer : Pass<"loom-optimizer", "::mlir::ModuleOp"> {
  let summary = "Turns parameter gradients into optimizer updates";
  let description = [{
    Reads the module's `loom.optimizer` attribute (written by the DSL's
    `minimize`) and replaces every `loom.parameter_gradient` in
    `@train_step` by that optimizer's update op (`loom.adam_update`).
  }];
  let constructor = "::loom::createOptimizerPass()";
}

def InferenceMode : Pass<"loom-inference-mode", "::mlir::ModuleOp"> {
  let summary = "Takes training-only behaviour (dropout) out of @forward";
  let description = [{
    `@forward` runs inference: every `loom.dropout` in it is replaced by its
    input. Runs after loom-autodiff, so `@train_step` keeps its dropouts.
  }];
  let constructor = "::loom::createInferenceModePass()";
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def HoistSequenceOps : Pass<"loom-hoist-sequence-ops", "::mlir::ModuleOp"> {
  let summary = "Moves per-step work that ignores the carried state out of scans, batched";
  let description = [{
    A scan body op that reads only sequence slices and values defined above
    the scan (a recurrent layer's input projection and its bias) becomes one
    op over all time steps before the scan, whose result the scan then reads
    step by step. For the input projection that is one GEMM of
    [T*B, I] x [I, gates*H] instead of T small ones, and the step kernel that
    remains holds the recurrent GEMM, the gates and the state update. An
    input projection that the step adds to the recurrent product stays in
    the body when the two weights are small enough to stream at every step
    (HoistSequenceOps.cpp says how small): the step kernel then accumulates
    both products in one register tile and never writes the projection of
    every step to memory. A weight the body multiplies by transposed is
    transposed once, before the scan, rather than at every step.
  }];
  let constructor = "::loom::createHoistSequenceOpsPass()";
}

def HoistAccumulators : Pass<"loom-hoist-accumulators", "::mlir::ModuleOp"> {
  let summary = "Turns per-step sums in carried state into one reduction after the scan";
  let description = [{
    A carried accumulator `acc + matmul(p, q) {transpose_lhs}` or
    `acc + reduce_sum(p) over axis 0` (the weight and bias gradients that
    backprop through time sums over steps) leaves the scan: the scan outputs
    the per-step factors instead, and after it one GEMM over [T*B, ...] (or one
    reduce_sum) adds all steps at once. Not yet in the default pipeline (see
    Pipeline.cpp).
  }];
  let constructor = "::loom::createHoistAccumulatorsPass()";
}

#endif // LOOM_PASSES_TD
