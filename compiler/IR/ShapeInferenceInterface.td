// The interface through which every loom op states its result shapes from its operand shapes.
#ifndef LOOM_SHAPE_INFERENCE_INTERFACE_TD
#define LOOM_SHAPE_INFERENCE_INTERFACE_TD

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInference"> {
  let cppNamespace = "::loom";
  let description = [{
    Computes an op's result types from its operand types and attributes. The
    same rule serves the infer-shapes pass (which refines unranked results),
    the op verifier (which checks ranked results against it) and the DSL
    (which reports a misuse at model build time). An operand that is still
    unranked yields unranked results and no error.
  }];
  let methods = [
    InterfaceMethod<
      "Emits an error on the op and returns failure when the operand shapes "
      "do not fit together; otherwise returns the result types.",
      "::mlir::FailureOr<::llvm::SmallVector<::mlir::Type>>", "inferResultTypes">
  ];
  // MLIR 14 verifies an op's traits and interfaces before its own verifier, which checks that the
  // attributes the shape rule reads are present and well-typed: run that first (on failure it has
  // reported the problem and the op's verification stops there).
  let verify = [{
    if (::mlir::failed(::mlir::cast<ConcreteOp>($_op).verify()))
      return ::mlir::failure();
    return ::loom::verifyInferredResultTypes($_op);
  }];
}

#endif // LOOM_SHAPE_INFERENCE_INTERFACE_TD
