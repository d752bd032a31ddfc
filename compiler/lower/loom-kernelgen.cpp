// loom-kernelgen: the build-time tool that compiles named kernels for static shapes into one static library
// and header (kernels only, no runtime), or compiles the one Halide runtime those libraries share.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "loom/lower/kernel_catalog.h"
#include "loom/lower/kernel_library.h"

namespace {

constexpr const char* kUsage =
    "usage: loom-kernelgen --targets <target>[,<target>...] --output-dir <dir> --library <name> <kernel>...\n"
    "       loom-kernelgen --targets <target>[,<target>...] --runtime <archive.a>\n"
    "Writes <dir>/<name>.a and <dir>/<name>.h; with several targets (widest first) every function\n"
    "dispatches at run time. A <kernel> is <function>=<builder>:<size>=<value>,...; builders and sizes:\n";

std::vector<Halide::Target> parse_targets(std::string_view list) {
  std::vector<Halide::Target> targets;
  while (!list.empty()) {
    const std::string_view item = list.substr(0, list.find(','));
    list = item.size() < list.size() ? list.substr(item.size() + 1) : std::string_view();
    if (!Halide::Target::validate_target_string(std::string(item))) {
      throw std::invalid_argument("'" + std::string(item) + "' is not a Halide target");
    }
    targets.emplace_back(std::string(item));
  }
  return targets;
}

int run(const std::vector<std::string>& args) {
  std::string targets, output_dir, library, runtime;
  std::vector<std::string> specs;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 == args.size()) throw std::invalid_argument(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--help") {
      std::printf("%s%s", kUsage, loom::lower::describe_kernel_builders().c_str());
      return 0;
    }
    if (arg == "--targets") targets = value();
    else if (arg == "--output-dir") output_dir = value();
    else if (arg == "--library") library = value();
    else if (arg == "--runtime") runtime = value();
    else if (arg.rfind("--", 0) == 0) throw std::invalid_argument("unknown option " + arg);
    else specs.push_back(arg);
  }
  if (targets.empty()) throw std::invalid_argument("--targets is required");
  const std::vector<Halide::Target> target_list = parse_targets(targets);
  if (!runtime.empty()) {
    if (!specs.empty()) throw std::invalid_argument("--runtime builds only the runtime; give kernels in another call");
    loom::lower::compile_halide_runtime(target_list, runtime);
    return 0;
  }
  if (output_dir.empty() || library.empty() || specs.empty()) {
    throw std::invalid_argument("a kernel library needs --output-dir, --library and at least one kernel");
  }
  std::vector<loom::lower::KernelRequest> kernels;
  for (const std::string& text : specs) {
    for (auto& request : loom::lower::expand_kernel_spec(loom::lower::parse_kernel_spec(text))) {
      kernels.push_back(std::move(request));
    }
  }
  loom::lower::compile_kernel_library(library, kernels, target_list, output_dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "loom-kernelgen: %s\n%s%s", e.what(), kUsage, loom::lower::describe_kernel_builders().c_str());
  } catch (const Halide::CompileError& e) {
    std::fprintf(stderr, "loom-kernelgen: Halide could not compile a kernel:\n%s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loom-kernelgen: %s\n", e.what());
  }
  return 1;
}
