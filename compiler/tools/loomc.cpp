// loomc: runs a model definition (linked in with LOOM_MODEL) and compiles the recorded module.
#include "ModelCodegen.h"
#include "Passes.h"
#include "loom/dsl/Driver.h"
#include "loom/lower/kernel.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>

namespace cl = llvm::cl;

namespace {

enum class Emit { IR, Library };

cl::opt<Emit> emit("emit", cl::desc("What to write"), cl::init(Emit::IR),
                   cl::values(clEnumValN(Emit::IR, "ir", "the loom dialect IR after the pipeline"),
                              clEnumValN(Emit::Library, "library",
                                         "the model's kernels library, header and source into "
                                         "the directory given by -o")));
cl::list<std::string> targets("target",
                              cl::desc("Halide target of the kernels (repeatable; the first the "
                                       "CPU supports is chosen at run time). Default: AVX-512, "
                                       "then AVX2"),
                              cl::value_desc("halide-target"));
cl::opt<std::string> modelName("model", cl::desc("Which registered model to compile "
                                                 "(needed when the file registers several)"),
                               cl::value_desc("name"), cl::init(""));
cl::opt<std::string> outputPath("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"));
cl::opt<unsigned> jobs("jobs",
                       cl::desc("Kernels compiled at once with --emit=library, each in a worker "
                                "process (default 0: one per CPU core; 1: one by one in loomc)"),
                       cl::value_desc("n"), cl::init(0));
cl::alias jobsShort("j", cl::desc("Alias for --jobs"), cl::aliasopt(jobs));
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

  if (emit == Emit::Library) {
    if (outputPath == "-")
      return fail("--emit=library writes several files: give their directory with -o");
    std::vector<Halide::Target> kernelTargets;
    for (const std::string &target : targets.empty()
                                         ? std::vector<std::string>{loom::lower::kAvx512Target,
                                                                    loom::lower::kAvx2Target}
                                         : std::vector<std::string>(targets.begin(), targets.end())) {
      if (!Halide::Target::validate_target_string(target))
        return fail("'" + target + "' is not a Halide target string (for example " +
                    loom::lower::kAvx2Target + ")");
      kernelTargets.emplace_back(target);
    }
    try {
      loom::lower::LibraryOptions options;
      options.jobs = int(jobs);
      // On a terminal, one line that counts the kernels; builds and pipes get no progress lines.
      if (isatty(STDERR_FILENO))
        options.progress = [&](size_t done, size_t total, const std::string &function) {
          llvm::errs() << "\rloomc: compiled " << done << "/" << total << " kernels of " << chosen->name
                       << (done == total ? "" : " (" + function + ")") << "\033[K" << (done == total ? "\n" : "");
          llvm::errs().flush();
        };
      loom::codegen::emit_model_library(model.module(), chosen->name, kernelTargets,
                                        outputPath.getValue(), options);
    } catch (const Halide::CompileError &error) {
      return fail("Halide rejected a kernel of model '" + chosen->name + "': " + error.what());
    } catch (const std::exception &error) {
      return fail(error.what());
    }
    return 0;
  }

  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return fail(error);
  model.module().print(output->os());
  output->keep();
  return 0;
}
