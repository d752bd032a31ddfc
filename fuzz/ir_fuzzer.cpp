// Fuzzes what loom-opt does with a .mlir file: parse it with the loom dialect, verify it, and run
// Loom's pipeline (verify the model, infer shapes, canonicalize, ...) on what verifies. Bad IR must be
// refused with diagnostics; a crash, a sanitizer report or an assertion is a finding.
#include "LoomDialect.h"
#include "Passes.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  registry.insert<loom::LoomDialect, mlir::StandardOpsDialect>();
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // Diagnostics are the expected answer to bad input; keep them off the fuzzer's output.
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });

  // MLIR's lexer reads the byte after the text, as the buffers of files that loom-opt reads have a NUL
  // there; std::string keeps one after its characters too.
  const std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString(llvm::StringRef(text.data(), text.size()), &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::PassManager pm(&context);
  loom::buildPipeline(pm);
  (void)pm.run(*module);
  return 0;
}
