// loomc: compiles a model given as a .mlir file in the loom dialect (what `loomc-<model> --no-passes`
// prints, or a module written by hand or by an importer) into its IR, generated class and kernels.
#include "LoomDialect.h"
#include "Loomc.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <regex>
#include <stdexcept>

namespace {

/// The parsed file and everything its diagnostics need while loomc runs.
struct ParsedFile {
  mlir::MLIRContext context;
  llvm::SourceMgr sources;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace

int main(int argc, char **argv) {
  std::string input, name;
  loom::tools::Frontend frontend;
  frontend.description = "loomc: compiles a Loom model given as a .mlir file (loom dialect) into its IR, its "
                         "generated C++ class and its kernels";
  frontend.add_options = [&](CLI::App &app) {
    app.add_option("input", input, "The model: a .mlir file in the loom dialect ('-': stdin)")
        ->required()
        ->option_text("FILE.mlir");
    app.add_option("--name", name,
                   "The model's name, which names its class, header and libraries (default: the "
                   "module's loom.model attribute, else the file's name without .mlir)")
        ->option_text("NAME");
  };
  frontend.load = [&]() -> loom::tools::LoadedModel {
    auto parsed = std::make_shared<ParsedFile>();
    parsed->context.getOrLoadDialect<loom::LoomDialect>();
    parsed->context.getOrLoadDialect<mlir::StandardOpsDialect>();
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> file = mlir::openInputFile(input, &error);
    if (!file)
      throw std::runtime_error(error);
    parsed->sources.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    parsed->diagnostics =
        std::make_unique<mlir::SourceMgrDiagnosticHandler>(parsed->sources, &parsed->context);
    parsed->module = mlir::parseSourceFile<mlir::ModuleOp>(parsed->sources, &parsed->context);
    if (!parsed->module)
      throw std::runtime_error("'" + input + "' is not a valid loom module (see the diagnostics above)");
    if (name.empty()) {
      if (auto attribute = (*parsed->module)->getAttrOfType<mlir::StringAttr>("loom.model"))
        name = attribute.getValue().str();
      else
        name = input == "-" ? "model" : std::filesystem::path(input).stem().string();
    }
    if (!std::regex_match(name, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
      throw std::runtime_error("the model name '" + name +
                               "' is not a C++ identifier, which it must be to name the generated class; "
                               "give one with --name=NAME");
    return {parsed->module.get(), name, parsed};
  };
  return loom::tools::loomc_main(argc, argv, frontend);
}
