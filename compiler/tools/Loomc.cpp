// loomc's command line (see Loomc.h): options, the pass pipeline, and every --emit kind.
#include "Loomc.h"

#include "ModelCodegen.h"
#include "Passes.h"
#include "loom/lower/kernel.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace loom::tools {
namespace {

enum class Emit { IR, Header, Source, Library, Schedule, Stmt };

const std::map<std::string, Emit> kEmitKinds{
    {"ir", Emit::IR},          {"header", Emit::Header},     {"source", Emit::Source},
    {"library", Emit::Library}, {"schedule", Emit::Schedule}, {"stmt", Emit::Stmt}};

constexpr const char *kEmitHelp =
    "What to write:\n"
    "  ir        the loom dialect IR after the pass pipeline (to -o, default stdout)\n"
    "  header    the generated C++ header of the model class (to -o, default stdout)\n"
    "  source    the generated C++ source of the model class (to -o, default stdout)\n"
    "  library   <model>.h, <model>.cpp, <model>_kernels.a and <model>_kernels.h into the directory -o\n"
    "  schedule  every kernel's Halide loop nest for the first target (to -o, default stdout)\n"
    "  stmt      every kernel's lowered Halide statement for the first target (to -o, default stdout)";

struct Options {
  Emit emit = Emit::IR;
  std::string output = "-";
  std::vector<std::string> targets;
  unsigned jobs = 0;
  bool noPasses = false;
  bool printIrBeforeAll = false;
  bool printIrAfterAll = false;
  bool timing = false;
};

/// A message for the user; main prints it as "loomc: error: <message>".
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void writeOutput(const std::string &path, const std::string &text) {
  std::string error;
  auto output = mlir::openOutputFile(path, &error);
  if (!output)
    throw UsageError(error);
  output->os() << text;
  output->keep();
}

std::vector<Halide::Target> kernelTargets(const Options &options) {
  std::vector<std::string> names = options.targets;
  if (names.empty())
    names = {lower::kAvx512Target, lower::kAvx2Target};
  std::vector<Halide::Target> targets;
  for (const std::string &name : names) {
    if (!Halide::Target::validate_target_string(name))
      throw UsageError("'" + name + "' is not a Halide target string (for example " + lower::kAvx2Target + ")");
    targets.emplace_back(name);
  }
  return targets;
}

/// On a terminal, one line that counts the kernels; builds and pipes get no progress lines.
lower::LibraryOptions::Progress progressLine(const std::string &model, const std::string &verb) {
  if (!isatty(STDERR_FILENO))
    return nullptr;
  return [model, verb](size_t done, size_t total, const std::string &function) {
    llvm::errs() << "\rloomc: " << verb << " " << done << "/" << total << " kernels of " << model
                 << (done == total ? "" : " (" + function + ")") << "\033[K" << (done == total ? "\n" : "");
    llvm::errs().flush();
  };
}

/// What Halide prints to std::cerr while `print` runs (Pipeline::print_loop_nest writes there).
std::string captureStderr(const std::function<void()> &print) {
  std::ostringstream captured;
  std::streambuf *previous = std::cerr.rdbuf(captured.rdbuf());
  try {
    print();
  } catch (...) {
    std::cerr.rdbuf(previous);
    throw;
  }
  std::cerr.rdbuf(previous);
  return captured.str();
}

/// One kernel's loop nest (schedule) or lowered statement (stmt), under a header line naming it.
std::string describeKernel(const lower::KernelRequest &request, const Halide::Target &target, Emit emit) {
  std::ostringstream text;
  lower::Kernel kernel = request.build(target);
  text << "// " << request.function_name
       << (kernel.name == request.function_name ? "" : " (" + kernel.name + ")") << " for "
       << target.to_string();
  if (!request.schedule_site.empty())
    text << ", scheduled by " << request.schedule_site;
  text << "\n";
  if (emit == Emit::Schedule) {
    text << captureStderr([&] { kernel.pipeline.print_loop_nest(); });
  } else {
    const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() / ("loomc-" + std::to_string(getpid()) + ".stmt");
    try {
      kernel.pipeline.compile_to_lowered_stmt(scratch.string(), kernel.arguments, Halide::Text, target);
    } catch (...) {
      std::filesystem::remove(scratch);
      throw;
    }
    text << std::ifstream(scratch).rdbuf();
    std::filesystem::remove(scratch);
  }
  text << "\n";
  return text.str();
}

/// Every kernel's loop nest (schedule) or lowered statement (stmt), for the first target. A kernel
/// that cannot be built or lowered is named as compile_kernel_library names it.
std::string describeKernels(const codegen::GeneratedModel &generated, const std::string &model,
                            const Halide::Target &target, Emit emit) {
  std::string text;
  auto progress = progressLine(model, emit == Emit::Schedule ? "scheduled" : "lowered");
  for (size_t i = 0; i < generated.kernels.size(); ++i) {
    const lower::KernelRequest &request = generated.kernels[i];
    try {
      text += describeKernel(request, target, emit);
    } catch (...) {
      throw std::runtime_error(lower::kernel_description(request) + ": " + lower::current_error());
    }
    if (progress)
      progress(i + 1, generated.kernels.size(), request.function_name);
  }
  return text;
}

void runPipeline(mlir::ModuleOp module, const Options &options) {
  mlir::PassManager pm(module.getContext());
  if (options.printIrBeforeAll || options.printIrAfterAll) {
    // Module-scope printing needs the passes to run one at a time.
    module.getContext()->disableMultithreading();
    auto always = [](mlir::Pass *, mlir::Operation *) { return true; };
    auto never = [](mlir::Pass *, mlir::Operation *) { return false; };
    pm.enableIRPrinting(options.printIrBeforeAll ? std::function(always) : std::function(never),
                        options.printIrAfterAll ? std::function(always) : std::function(never),
                        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (options.timing)
    pm.enableTiming();
  buildPipeline(pm);
  if (mlir::failed(pm.run(module)))
    throw UsageError("the pass pipeline failed (see the diagnostics above)");
}

void emit(LoadedModel &loaded, const Options &options) {
  if (!options.noPasses && loaded.module.lookupSymbol("train_step"))
    throw UsageError("the module already went through the pass pipeline (it has @train_step); add "
                     "--no-passes to compile it as it is");
  if (!options.noPasses)
    runPipeline(loaded.module, options);
  // Kernels compile in forked workers: no other thread may exist when they fork, or one inside
  // malloc at that moment leaves the worker's allocator locked for good (seen as a rare hang of
  // the sanitizer build). This stops the context's thread pool, which only the passes use.
  loaded.module.getContext()->disableMultithreading();
  if (options.emit == Emit::IR) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    loaded.module.print(stream);
    writeOutput(options.output, stream.str());
    return;
  }
  // Checked before anything is generated: a model's kernels can take minutes.
  if (options.emit == Emit::Library && options.output == "-")
    throw UsageError("--emit=library writes several files: give their directory with -o DIR");
  std::vector<Halide::Target> targets = kernelTargets(options);
  if (options.emit == Emit::Library) {
    lower::LibraryOptions library;
    library.jobs = int(options.jobs);
    library.progress = progressLine(loaded.name, "compiled");
    codegen::emit_model_library(loaded.module, loaded.name, targets, options.output, library,
                                dsl::registered_schedules());
    if (loaded.write_library_extras)
      loaded.write_library_extras(options.output);
    return;
  }
  codegen::GeneratedModel generated =
      codegen::generate_model(loaded.module, loaded.name, dsl::registered_schedules());
  switch (options.emit) {
  case Emit::Header:
    writeOutput(options.output, generated.header);
    break;
  case Emit::Source:
    writeOutput(options.output, generated.source);
    break;
  default:
    writeOutput(options.output, describeKernels(generated, loaded.name, targets.front(), options.emit));
  }
}

} // namespace

int loomc_main(int argc, char **argv, const Frontend &frontend) {
  llvm::InitLLVM init(argc, argv);
  const std::string program = std::filesystem::path(argv[0]).filename().string();
  CLI::App app{frontend.description, program};
  app.get_formatter()->column_width(34);
  Options options;
  frontend.add_options(app);
  std::string emitKind = "ir";
  std::vector<std::string> emitKinds;
  for (const auto &[kind, value] : kEmitKinds)
    emitKinds.push_back(kind);
  app.add_option("--emit", emitKind, kEmitHelp)->check(CLI::IsMember(emitKinds))->option_text("KIND (default: ir)");
  app.add_option("-o,--output", options.output,
                 "Output file ('-': stdout), or the output directory with --emit=library")
      ->option_text("PATH");
  app.add_option("--target", options.targets,
                 "Halide target of the kernels; repeat it for several, widest first (the first the CPU "
                 "supports is chosen at run time). Default: AVX-512, then AVX2")
      ->option_text("TARGET")
      ->expected(1) // one per occurrence: --target=a --target=b
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("-j,--jobs", options.jobs,
                 "Kernels compiled at once with --emit=library, each in a worker process (0: one per "
                 "CPU core; 1: one by one inside loomc)")
      ->option_text("N (default: 0)");
  app.add_flag("--no-passes", options.noPasses, "Skip the pass pipeline: take the module as it is");
  app.add_flag("--print-ir-before-all", options.printIrBeforeAll, "Print the IR before every pass (to stderr)");
  app.add_flag("--print-ir-after-all", options.printIrAfterAll, "Print the IR after every pass (to stderr)");
  app.add_flag("--timing", options.timing, "Report the time each pass took (to stderr)");
  app.set_version_flag("--version", "loomc (Loom 0.1.0; Halide 14, MLIR 14)");
  try {
    app.parse(argc, argv);
    options.emit = kEmitKinds.at(emitKind);
  } catch (const CLI::ParseError &error) {
    return app.exit(error);
  }

  try {
    LoadedModel loaded = frontend.load();
    emit(loaded, options);
    return 0;
  } catch (const Halide::CompileError &error) {
    llvm::errs() << "loomc: error: Halide rejected a kernel: " << error.what() << "\n";
  } catch (const std::exception &error) {
    llvm::errs() << "loomc: error: " << error.what() << "\n";
  }
  return 1;
}

} // namespace loom::tools
