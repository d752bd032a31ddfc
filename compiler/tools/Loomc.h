// loomc's command line, shared by the model compilers (loomc-<model>: the model is linked in) and
// the file compiler (loomc: the model is a .mlir file). A front end supplies the module; the driver
// runs the pass pipeline and writes what --emit asks for.
#pragma once

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace loom::tools {

/// A module to compile, its model's name, and whatever owns the module's context.
struct LoadedModel {
  mlir::ModuleOp module;
  std::string name;
  std::shared_ptr<void> owner;
  /// Writes what the front end adds to --emit=library's directory (an importer's weights), if set.
  std::function<void(const std::string &directory)> write_library_extras;
};

/// Where loomc's module comes from.
struct Frontend {
  /// The program's one-line description for --help.
  std::string description;
  /// Adds the front end's own options and arguments (the input file, --model) to the command line.
  std::function<void(CLI::App &)> add_options;
  /// Called after the command line parsed: loads the module. Throws std::runtime_error with a
  /// message for the user (diagnostics already printed are referred to, not repeated).
  std::function<LoadedModel()> load;
};

/// Parses the command line and runs loomc. Returns the process's exit status; errors go to stderr
/// as "loomc: error: ...".
int loomc_main(int argc, char **argv, const Frontend &frontend);

} // namespace loom::tools
