// Registers the loom dialect's ops and materializes folded constants.
#include "LoomDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

#include "LoomDialect.cpp.inc"

void loom::LoomDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "LoomOps.cpp.inc"
      >();
}

Operation *loom::LoomDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                                  Location loc) {
  auto elements = value.dyn_cast<ElementsAttr>();
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, type, elements);
}
