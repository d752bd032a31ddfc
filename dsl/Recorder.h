// Private to the DSL: how layers and ops turn into loom ops in the model's MLIR module.
#pragma once

#include "LoomDialect.h"
#include "loom/dsl/Model.h"

#include "mlir/IR/Builders.h"

#include <functional>

namespace loom::dsl {

class Recorder {
public:
  static mlir::OpBuilder &builder(Model &model);
  /// Location of the op being recorded: the current layer's name at the user's source line.
  static mlir::Location location(Model &model);
  static Tensor wrap(Model &model, mlir::Value value);

  /// Records one op with the given operands and attributes. Its result types come from the op's
  /// shape rule; a rule that fails becomes a ModelError naming the layer and source line.
  static Tensor record(Model &model, llvm::StringRef opName, llvm::ArrayRef<Tensor> operands,
                       llvm::ArrayRef<mlir::NamedAttribute> attributes = {},
                       bool integerResult = false);

  /// Records a loom.scan: `body` is called once, with the carried state and one time step of
  /// each sequence, to record the step. Returns the final carried state, then the stacked outputs.
  static std::vector<Tensor> scan(Model &model, const std::vector<Tensor> &initial,
                                  const std::vector<Tensor> &sequences,
                                  const std::function<ScanStep(const std::vector<Tensor> &state,
                                                               const std::vector<Tensor> &step)> &body,
                                  bool reverse = false);

  /// Applies the op's shape rule and verifier; on failure erases the op and throws.
  static void inferAndVerify(Model &model, mlir::Operation *op);
};

} // namespace loom::dsl
