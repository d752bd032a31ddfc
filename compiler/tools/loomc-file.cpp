// loomc: compiles a model given as a file: a .mlir module in the loom dialect (what
// `loomc-<model> --no-passes` prints, or a module written by hand) or an ONNX model (.onnx, as
// torch.onnx.export writes it), into its IR, generated class and kernels.
#include "LoomDialect.h"
#include "Loomc.h"
#include "OnnxImport.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

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

struct FileOptions {
  std::string input, name, params;
  std::vector<std::string> shapes;
};

loom::tools::LoadedModel loadMlir(const FileOptions &options) {
  auto parsed = std::make_shared<ParsedFile>();
  parsed->context.getOrLoadDialect<loom::LoomDialect>();
  parsed->context.getOrLoadDialect<mlir::StandardOpsDialect>();
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = mlir::openInputFile(options.input, &error);
  if (!file)
    throw std::runtime_error(error);
  parsed->sources.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  parsed->diagnostics = std::make_unique<mlir::SourceMgrDiagnosticHandler>(parsed->sources, &parsed->context);
  parsed->module = mlir::parseSourceFile<mlir::ModuleOp>(parsed->sources, &parsed->context);
  if (!parsed->module)
    throw std::runtime_error("'" + options.input + "' is not a valid loom module (see the diagnostics above)");
  std::string name = options.name;
  if (name.empty())
    if (auto attribute = (*parsed->module)->getAttrOfType<mlir::StringAttr>("loom.model"))
      name = attribute.getValue().str();
  return {parsed->module.get(), name, parsed, nullptr};
}

/// "ids=7x3" (or "ids=7,3") as ("ids", {7, 3}).
std::pair<std::string, std::vector<int64_t>> parseShape(const std::string &text) {
  std::smatch match;
  if (!std::regex_match(text, match, std::regex("(.+)=([0-9]+(?:[x,][0-9]+)*)")))
    throw std::runtime_error("--shape takes NAME=D0xD1... (for example ids=35x8), got '" + text + "'");
  std::vector<int64_t> sizes;
  const std::string dims = match[2];
  const std::regex separator("[x,]");
  for (std::sregex_token_iterator it(dims.begin(), dims.end(), separator, -1), end; it != end; ++it) {
    sizes.push_back(std::stoll(it->str()));
    if (sizes.back() <= 0)
      throw std::runtime_error("--shape " + text + ": every size must be positive");
  }
  return {match[1], sizes};
}

loom::tools::LoadedModel loadOnnx(const FileOptions &options, const std::string &name) {
  loom::importer::OnnxOptions importOptions;
  for (const std::string &text : options.shapes)
    importOptions.input_shapes.insert(parseShape(text));
  auto model = std::make_shared<loom::dsl::Model>(name);
  loom::importer::OnnxImport imported = loom::importer::import_onnx(options.input, *model, importOptions);
  for (const auto &[bindings, what] : {std::pair{&imported.inputs, "input"}, std::pair{&imported.outputs, "output"}})
    for (const loom::importer::OnnxBinding &binding : *bindings)
      if (binding.onnx_name != binding.loom_name)
        llvm::errs() << "loomc: ONNX " << what << " '" << binding.onnx_name << "' is '" << binding.loom_name
                     << "' in the generated class\n";

  auto weights = std::make_shared<std::vector<loom::NamedTensor>>(std::move(imported.weights));
  auto writeWeights = [weights, name](const std::string &path) {
    loom::save_parameters(path, name, *weights);
    llvm::errs() << "loomc: wrote the " << weights->size() << " weight tensors of '" << name << "' to " << path
                 << " (load them with load_parameters)\n";
  };
  loom::tools::LoadedModel loaded{model->module(), name, model, nullptr};
  if (!options.params.empty())
    writeWeights(options.params);
  else
    loaded.write_library_extras = [writeWeights, name](const std::string &directory) {
      writeWeights((std::filesystem::path(directory) / (name + ".params")).string());
    };
  return loaded;
}

} // namespace

int main(int argc, char **argv) {
  FileOptions options;
  loom::tools::Frontend frontend;
  frontend.description = "loomc: compiles a Loom model given as a file, a .mlir module in the loom dialect or an "
                         "ONNX model (.onnx), into its IR, its generated C++ class and its kernels";
  frontend.add_options = [&](CLI::App &app) {
    app.add_option("input", options.input,
                   "The model: a .mlir file in the loom dialect ('-': stdin), or an ONNX model (.onnx) for "
                   "inference with the operators " + std::string(loom::importer::kOnnxOperators))
        ->required()
        ->option_text("FILE.mlir|FILE.onnx");
    app.add_option("--name", options.name,
                   "The model's name, which names its class, header and libraries (default: the "
                   "module's loom.model attribute, else the file's name without its extension)")
        ->option_text("NAME");
    app.add_option("--shape", options.shapes,
                   "ONNX: the static shape of an input whose sizes the file leaves open (dynamic axes); repeatable")
        ->option_text("NAME=D0xD1...")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--params", options.params,
                   "ONNX: write the model's weights to this Loom parameter file (with --emit=library they go to "
                   "<dir>/<name>.params unless this is given)")
        ->option_text("FILE");
  };
  frontend.load = [&]() -> loom::tools::LoadedModel {
    const std::filesystem::path path(options.input);
    const bool onnx = path.extension() == ".onnx";
    if (!onnx && (!options.shapes.empty() || !options.params.empty()))
      throw std::runtime_error("--shape and --params are for ONNX models (.onnx), and '" + options.input + "' is not one");
    auto defaultName = [&](std::string name) {
      if (name.empty())
        name = options.input == "-" ? "model" : path.stem().string();
      if (!std::regex_match(name, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
        throw std::runtime_error("the model name '" + name +
                                 "' is not a C++ identifier, which it must be to name the generated class; "
                                 "give one with --name=NAME");
      return name;
    };
    if (onnx)
      return loadOnnx(options, defaultName(options.name));
    loom::tools::LoadedModel loaded = loadMlir(options);
    loaded.name = defaultName(loaded.name);
    return loaded;
  };
  return loom::tools::loomc_main(argc, argv, frontend);
}
