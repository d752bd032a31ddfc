// Ahead-of-time compilation of kernel sets into one static library and header, and of the shared runtime.
#include "loom/lower/kernel_library.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

namespace loom::lower {

namespace fs = std::filesystem;

namespace {

// "struct halide_buffer_t *x, float alpha, ..." for the inputs, then one buffer per output value.
std::string c_parameters(const Kernel& kernel) {
  std::vector<std::string> parameters;
  for (const Halide::Argument& argument : kernel.arguments) {
    parameters.push_back(argument.is_buffer() ? "struct halide_buffer_t *" + argument.name
                                              : Halide::type_to_c_type(argument.type, true, false) + argument.name);
  }
  for (const Halide::Func& output : kernel.pipeline.outputs()) {
    // Halide makes Func names unique by appending "$<n>" when a builder runs more than once.
    const std::string name = output.name().substr(0, output.name().find('$'));
    if (output.outputs() == 1) {
      parameters.push_back("struct halide_buffer_t *" + name);
      continue;
    }
    for (int value = 0; value < output.outputs(); value++) {
      parameters.push_back("struct halide_buffer_t *" + name + "_" + std::to_string(value));
    }
  }
  std::string joined;
  for (const std::string& parameter : parameters) joined += (joined.empty() ? "" : ", ") + parameter;
  return joined;
}

constexpr const char* kHeaderPreamble = R"(
// Each function dispatches on its first call to the first of these targets the CPU supports; the
// <function>_<target> variants skip dispatch. Link one Halide runtime (loom-kernelgen --runtime) beside it.
#pragma once

#include "HalideRuntime.h"

// Variant symbols contain '-': the GNU assembler needs them quoted, clang quotes them itself.
#ifndef LOOM_VARIANT_SYMBOL
#if defined(__clang__)
#define LOOM_VARIANT_SYMBOL(name) __asm__(name)
#else
#define LOOM_VARIANT_SYMBOL(name) __asm__("\"" name "\"")
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif
)";

constexpr const char* kHeaderEnd = R"(
#ifdef __cplusplus
}  // extern "C"
#endif
)";

Halide::Target without_runtime(Halide::Target target) { return target.with_feature(Halide::Target::NoRuntime); }

}  // namespace

std::string variant_suffix(const Halide::Target& target) {
  if (target.arch == Halide::Target::X86 && target.os == Halide::Target::Linux && !target.has_gpu_feature()) {
    if (target.has_feature(Halide::Target::AVX512)) return "avx512";
    if (target.has_feature(Halide::Target::AVX2)) return "avx2";
  }
  std::string suffix = target.without_feature(Halide::Target::NoRuntime).to_string();
  std::replace(suffix.begin(), suffix.end(), '-', '_');
  return suffix;
}

void compile_kernel_library(const std::string& library, const std::vector<KernelRequest>& kernels,
                            const std::vector<Halide::Target>& targets, const fs::path& output_dir) {
  if (targets.empty()) throw std::runtime_error("loom-kernelgen: library " + library + " has no targets");
  std::vector<Halide::Target> kernel_targets;
  std::vector<std::string> suffixes;
  for (const Halide::Target& target : targets) {
    kernel_targets.push_back(without_runtime(target));
    suffixes.push_back(variant_suffix(target));
  }
  if (std::set<std::string>(suffixes.begin(), suffixes.end()).size() != suffixes.size()) {
    throw std::runtime_error("loom-kernelgen: library " + library + " lists the same target twice");
  }

  const fs::path object_dir = output_dir / (library + ".objects");
  fs::create_directories(object_dir);
  std::vector<std::string> objects;
  std::string declarations;
  for (const KernelRequest& request : kernels) {
    const std::string& function = request.function_name;
    // The factory runs once per target: schedules differ per target, so the kernel is rebuilt for each.
    std::string description;
    std::string parameters;
    const Halide::ModuleFactory build_module = [&](const std::string& name, const Halide::Target& target) {
      Kernel kernel = request.build(target);
      description = kernel.name;
      parameters = c_parameters(kernel);
      return kernel.pipeline.compile_to_module(kernel.arguments, name, target);
    };
    const fs::path object = object_dir / (function + ".o");
    Halide::compile_multitarget(function, {{Halide::OutputFileType::object, object.string()}}, kernel_targets,
                                suffixes, build_module);

    declarations += "\n// " + description + "\nint " + function + "(" + parameters + ");\n";
    if (kernel_targets.size() == 1) {
      objects.push_back(object.string());
      continue;
    }
    // compile_multitarget names each variant "<function>-<suffix>", in "<function>-<suffix>.o", and
    // writes the dispatching function to "<function>_wrapper.o".
    objects.push_back((object_dir / (function + "_wrapper.o")).string());
    for (const std::string& suffix : suffixes) {
      objects.push_back((object_dir / (function + "-" + suffix + ".o")).string());
      declarations += "int " + function + "_" + suffix + "(" + parameters + ") LOOM_VARIANT_SYMBOL(\"" + function +
                      "-" + suffix + "\");\n";
    }
  }
  Halide::create_static_library(objects, kernel_targets.front(), (output_dir / (library + ".a")).string());

  std::string target_list;
  for (const Halide::Target& target : targets) target_list += "\n//   " + target.to_string();
  std::ofstream header(output_dir / (library + ".h"));
  header << "// Generated by loom-kernelgen: the kernels of library " << library << ", compiled for" << target_list
         << kHeaderPreamble << declarations << kHeaderEnd;
  if (!header) throw std::runtime_error("loom-kernelgen: cannot write " + (output_dir / (library + ".h")).string());
}

Halide::Target runtime_target(const std::vector<Halide::Target>& targets) {
  if (targets.empty()) throw std::runtime_error("loom-kernelgen: the runtime needs at least one target");
  Halide::Target common = targets.front();
  for (const Halide::Target& target : targets) {
    if (!common.get_runtime_compatible_target(target, common)) {
      throw std::runtime_error("loom-kernelgen: targets " + common.to_string() + " and " + target.to_string() +
                               " cannot share one Halide runtime");
    }
  }
  return common.without_feature(Halide::Target::NoRuntime);
}

void compile_halide_runtime(const std::vector<Halide::Target>& targets, const fs::path& archive) {
  fs::create_directories(archive.parent_path());
  Halide::compile_standalone_runtime({{Halide::OutputFileType::static_library, archive.string()}},
                                     runtime_target(targets));
}

}  // namespace loom::lower
