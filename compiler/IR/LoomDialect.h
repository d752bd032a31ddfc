// The loom dialect and its ops, for every C++ file that builds or reads loom IR.
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "LoomDialect.h.inc"

namespace loom {
/// `(type, type)` or `()`: a parenthesized, possibly empty type list in custom assembly.
mlir::ParseResult parseParenTypeList(mlir::OpAsmParser &parser,
                                     llvm::SmallVectorImpl<mlir::Type> &types);
void printParenTypeList(mlir::OpAsmPrinter &printer, mlir::Operation *op, mlir::TypeRange types);
} // namespace loom

namespace loom {
/// Checks an op's ranked result types against its shape rule (ShapeInference).
mlir::LogicalResult verifyInferredResultTypes(mlir::Operation *op);
} // namespace loom

#include "ShapeInferenceInterface.h.inc"

#define GET_OP_CLASSES
#include "LoomOps.h.inc"

namespace loom {
/// Sets `op`'s result types to what its shape rule (ShapeInference) gives; ops without a rule are
/// left alone. Fails, with the rule's diagnostic emitted on the op, when the operands do not fit.
mlir::LogicalResult applyInferredTypes(mlir::Operation *op);

/// Creates the op `name` with result types given by its shape rule (one result of
/// `resultElementType`, or the rule's count). Returns null, with the rule's diagnostic emitted and
/// the op erased, when the operands do not fit together.
mlir::Operation *buildWithInferredTypes(mlir::OpBuilder &builder, mlir::Location loc,
                                        llvm::StringRef name, mlir::ValueRange operands,
                                        llvm::ArrayRef<mlir::NamedAttribute> attributes,
                                        mlir::Type resultElementType);

mlir::LogicalResult verifyScan(ScanOp op);
mlir::LogicalResult verifyLoss(LossOp op);
/// An optimizer update's `semantics` names whose formulas it follows: "pytorch" or "keras".
mlir::LogicalResult verifySemantics(mlir::Operation *op, llvm::StringRef semantics);

/// The matmul that `v` is the result of, plus any bias_adds applied to it, when nothing else reads the
/// matmul or the bias_adds in between (v itself may have any readers); null otherwise. Such a value is
/// a sum of products and biases that its reader can fold into its own register tile.
MatmulOp productBehindBiases(mlir::Value v);

/// The type of `steps` time steps stacked along a new leading axis: [steps, ...stepType].
mlir::RankedTensorType stackedType(int64_t steps, mlir::Type stepType);

/// Creates, at the builder's position, a loom.scan like `from` (location, direction) over new
/// carried values and sequences, with per-step outputs of `outputTypes`, and moves `from`'s body
/// into it. The caller updates the body's arguments and loom.yield to match, replaces `from`'s
/// results and erases it.
ScanOp rebuildScan(mlir::OpBuilder &builder, ScanOp from, mlir::ValueRange carried,
                   mlir::ValueRange sequences, mlir::TypeRange outputTypes);
mlir::ParseResult parseConstant(mlir::OpAsmParser &parser, mlir::OperationState &result);
void printConstant(mlir::OpAsmPrinter &printer, ConstantOp op);
} // namespace loom
