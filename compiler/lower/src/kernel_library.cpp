// Ahead-of-time compilation of kernel sets into one static library and header, and of the shared runtime.
#include "loom/lower/kernel_library.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

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

// The CPU cores this process may run on.
int cpu_cores() {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using CompileOne = std::function<std::string(const KernelRequest&)>;

// A worker's exit status when it could not write its result file.
constexpr int kUnwrittenResult = 3;

// Runs `compile` on every request and returns its results in the requests' order: in this process when
// `jobs` is 1, else in up to `jobs` worker processes at once, each forked for one request. A worker
// returns its result (or its error message) in a file of `scratch`; the first failure stops the others.
// Either way a failure is thrown as a std::runtime_error that names the kernel.
std::vector<std::string> compile_each(const std::vector<KernelRequest>& requests, const CompileOne& compile, int jobs,
                                      const fs::path& scratch, const LibraryOptions::Progress& progress) {
  std::vector<std::string> results(requests.size());
  size_t done = 0;
  const auto finished = [&](size_t index) {
    done++;
    if (progress) progress(done, requests.size(), requests[index].function_name);
  };
  if (jobs <= 1 || requests.size() <= 1) {
    for (size_t i = 0; i < requests.size(); i++) {
      try {
        results[i] = compile(requests[i]);
      } catch (...) {
        throw std::runtime_error(kernel_description(requests[i]) + ": " + current_error());
      }
      finished(i);
    }
    return results;
  }

  const auto result_file = [&](size_t index) { return scratch / (requests[index].function_name + ".result"); };
  std::map<pid_t, size_t> running;
  std::string failure;
  size_t next = 0;
  while (true) {
    while (failure.empty() && next < requests.size() && running.size() < size_t(jobs)) {
      std::fflush(nullptr);  // or the worker would write what this process buffered a second time
      const pid_t pid = fork();
      if (pid < 0) {
        failure = std::string("cannot start a compile worker: ") + std::strerror(errno);
        break;
      }
      if (pid == 0) {
        int code = 0;
        std::string text;
        try {
          text = compile(requests[next]);
        } catch (...) {
          text = current_error();
          code = 1;
        }
        std::ofstream result(result_file(next), std::ios::binary);
        result << text;
        result.close();
        std::fflush(nullptr);
        // No destructors or atexit handlers of the parent's state.
        std::_Exit(result ? code : kUnwrittenResult);
      }
      running[pid] = next++;
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waiting for the compile workers: ") + std::strerror(errno));
    }
    const auto worker = running.find(pid);
    if (worker == running.end()) continue;  // some other child of this process
    const size_t index = worker->second;
    running.erase(worker);
    const bool written = !WIFEXITED(status) || WEXITSTATUS(status) != kUnwrittenResult;
    const std::string text = written ? read_file(result_file(index)) : "";
    fs::remove(result_file(index));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      results[index] = text;
      finished(index);
      continue;
    }
    if (!failure.empty()) continue;
    failure = kernel_description(requests[index]) + ": ";
    if (WIFSIGNALED(status))
      failure += "its compile worker was killed by signal " + std::to_string(WTERMSIG(status));
    else if (!written)
      failure += "its compile worker could not write " + result_file(index).string();
    else
      failure += text;
    for (const auto& [other, _] : running) kill(other, SIGTERM);
  }
  if (!failure.empty()) throw std::runtime_error(failure);
  return results;
}
}  // namespace

std::string current_error() {
  try {
    throw;
  } catch (const Halide::CompileError& e) {
    return std::string("Halide rejected it: ") + e.what();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

std::string kernel_description(const KernelRequest& request) {
  return "kernel " + request.function_name +
         (request.schedule_site.empty() ? "" : " (scheduled by " + request.schedule_site + ")");
}

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
                            const std::vector<Halide::Target>& targets, const fs::path& output_dir,
                            const LibraryOptions& options) {
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
  // Compiles one kernel's objects for every target and returns its declarations in the header.
  const auto compile = [&](const KernelRequest& request) {
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
    Halide::compile_multitarget(function, {{Halide::OutputFileType::object, (object_dir / (function + ".o")).string()}},
                                kernel_targets, suffixes, build_module);
    std::string declarations = "\n// " + description + "\nint " + function + "(" + parameters + ");\n";
    if (kernel_targets.size() > 1) {
      for (const std::string& suffix : suffixes) {
        declarations += "int " + function + "_" + suffix + "(" + parameters + ") LOOM_VARIANT_SYMBOL(\"" + function +
                        "-" + suffix + "\");\n";
      }
    }
    return declarations;
  };
  const std::vector<std::string> declarations =
      compile_each(kernels, compile, options.jobs == 0 ? cpu_cores() : options.jobs, object_dir, options.progress);

  std::vector<std::string> objects;
  for (const KernelRequest& request : kernels) {
    const std::string& function = request.function_name;
    if (kernel_targets.size() == 1) {
      objects.push_back((object_dir / (function + ".o")).string());
      continue;
    }
    // compile_multitarget names each variant "<function>-<suffix>", in "<function>-<suffix>.o", and
    // writes the dispatching function to "<function>_wrapper.o".
    objects.push_back((object_dir / (function + "_wrapper.o")).string());
    for (const std::string& suffix : suffixes) objects.push_back((object_dir / (function + "-" + suffix + ".o")).string());
  }
  Halide::create_static_library(objects, kernel_targets.front(), (output_dir / (library + ".a")).string());

  std::string target_list;
  for (const Halide::Target& target : targets) target_list += "\n//   " + target.to_string();
  std::ofstream header(output_dir / (library + ".h"));
  header << "// Generated by loom-kernelgen: the kernels of library " << library << ", compiled for" << target_list
         << kHeaderPreamble;
  for (const std::string& declaration : declarations) header << declaration;
  header << kHeaderEnd;
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
