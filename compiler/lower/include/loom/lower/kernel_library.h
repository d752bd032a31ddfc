// Ahead-of-time compilation of a set of kernels into one static library and one C header, every kernel
// compiled for several CPU targets with runtime dispatch, and of the one Halide runtime they all share.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "Halide.h"
#include "loom/lower/kernel.h"

namespace loom::lower {

// One function of a library: its C name and how to build its kernel for a target.
struct KernelRequest {
  std::string function_name;
  std::function<Kernel(const Halide::Target&)> build;
  // Where the kernel's schedule was written when it is not Loom's ("schedule.cpp:7"), for errors.
  std::string schedule_site = "";
};

// How compile_kernel_library spreads its work.
struct LibraryOptions {
  // Kernels compiled at once, each in a worker process of its own (Halide and LLVM are not made to
  // compile in parallel threads of one process). 0: one per CPU core; 1: in this process, one by one.
  int jobs = 0;
  // Called after each kernel with the number done, the total and the kernel's function name.
  using Progress = std::function<void(size_t done, size_t total, const std::string& function)>;
  Progress progress;
};

// Writes <output_dir>/<library>.a and <library>.h. With several targets, each function dispatches on its
// first call's CPU (halide_can_use_target_features) to the first target the CPU supports, so list the
// widest first; the header also declares each variant as <function>_<suffix> (variant_suffix) for tests.
// Kernels are compiled with no_runtime: link one library from compile_halide_runtime beside them.
// Throws std::runtime_error naming the kernel that failed and why (Halide's message, say).
void compile_kernel_library(const std::string& library, const std::vector<KernelRequest>& kernels,
                            const std::vector<Halide::Target>& targets, const std::filesystem::path& output_dir,
                            const LibraryOptions& options = {});

// The runtime all libraries of one program share: built for the greatest common denominator of their
// targets, so its own code runs on every CPU the dispatch can choose.
Halide::Target runtime_target(const std::vector<Halide::Target>& targets);

// Writes the Halide runtime for runtime_target(targets) as a static library.
void compile_halide_runtime(const std::vector<Halide::Target>& targets, const std::filesystem::path& archive);

// "kernel <function name>", plus where its schedule was written when that is not Loom's: how errors
// name a kernel.
std::string kernel_description(const KernelRequest& request);

// What the exception being handled says, "Halide rejected it: " before Halide's compile errors. Only
// inside a catch block.
std::string current_error();

// Short name of a target's variant: "avx512", "avx2", else the target string with '-' as '_'.
std::string variant_suffix(const Halide::Target& target);

}  // namespace loom::lower
