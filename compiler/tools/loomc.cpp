// loomc: runs a model definition (linked in with LOOM_MODEL) and compiles the recorded module.
#include "Passes.h"
#include "loom/dsl/Driver.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {

enum class Emit { IR };

cl::opt<Emit> emit("emit", cl::desc("What to write"), cl::init(Emit::IR),
                   cl::values(clEnumValN(Emit::IR, "ir", "the loom dialect IR after the pipeline")));
cl::opt<std::string> modelName("model", cl::desc("Which registered model to compile "
                                                 "(needed when the file registers several)"),
                               cl::value_desc("name"), cl::init(""));
cl::opt<std::string> outputPath("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"));
cl::opt<bool> definitionOnly("no-passes",
                             cl::desc("Print the module as the definition recorded it, before any pass"),
                             cl::init(false));

int fail(const std::string &message) {
  llvm::errs() << "loomc: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "loomc: the Loom model compiler\n");

  const auto &models = loom::dsl::registered_models();
  const loom::dsl::RegisteredModel *chosen = nullptr;
  std::string names;
  for (const auto &m : models) {
    names += (names.empty() ? "" : ", ") + m.name;
    if (m.name == modelName || (modelName.empty() && models.size() == 1))
      chosen = &m;
  }
  if (models.empty())
    return fail("no model is linked into this loomc; define one with LOOM_MODEL(name, model)");
  if (!chosen)
    return fail(modelName.empty() ? "this loomc holds several models (" + names + "); pick one with --model=NAME"
                                  : "no model named '" + modelName + "'; this loomc holds: " + names);

  loom::dsl::Model model(chosen->name);
  try {
    chosen->define(model);
  } catch (const loom::dsl::ModelError &error) {
    return fail(error.what());
  }
  if (!definitionOnly) {
    mlir::PassManager pm(&model.context());
    mlir::applyPassManagerCLOptions(pm);
    loom::buildPipeline(pm);
    if (mlir::failed(pm.run(model.module())))
      return fail("the pass pipeline failed (see the diagnostics above)");
  }

  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return fail(error);
  model.module().print(output->os());
  output->keep();
  return 0;
}
