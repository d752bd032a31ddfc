// Turns a model's loom module (after the pass pipeline) into Halide kernels compiled ahead of time,
// plus the generated C++ class that owns the buffers and calls the kernels in order.
#pragma once

#include "mlir/IR/BuiltinOps.h"

#include "Halide.h"
#include "loom/dsl/Schedule.h"
#include "loom/lower/kernel_library.h"

#include <filesystem>
#include <string>
#include <vector>

namespace loom::codegen {

/// A model's generated code before any kernel is compiled: the class's header and source and a
/// request for every kernel they call (each builds the kernel's Halide pipeline for a target).
struct GeneratedModel {
  std::string header;
  std::string source;
  std::vector<lower::KernelRequest> kernels; // schedule_site set where a custom schedule is used
};

/// Plans `module` (after the pass pipeline) as model `model`. `schedules` (LOOM_SCHEDULE's, of any
/// model: those of others are left out) replace Loom's schedules of the kernels they name. Throws
/// std::runtime_error naming what cannot be compiled, a schedule for a kernel the model does not
/// have and two schedules for one kernel; a kernel's build throws one naming its schedule's place
/// when that schedule throws.
GeneratedModel generate_model(mlir::ModuleOp module, const std::string &model,
                              const std::vector<dsl::RegisteredSchedule> &schedules = {});

/// Writes into `directory`:
///   <model>.h                 the generated class: typed accessors, forward(), train_step(),
///                             parameter initialization, save and load;
///   <model>.cpp               its implementation, which drives time loops and calls the kernels;
///   <model>_kernels.a / .h    every kernel, compiled for `targets` with run-time CPU dispatch and
///                             without a Halide runtime (link Loom's shared one).
/// `options` says how many kernels compile at once and whom to tell of progress; `schedules` are as
/// for generate_model. Throws std::runtime_error naming what could not be compiled.
void emit_model_library(mlir::ModuleOp module, const std::string &model,
                        const std::vector<Halide::Target> &targets,
                        const std::filesystem::path &directory,
                        const lower::LibraryOptions &options = {},
                        const std::vector<dsl::RegisteredSchedule> &schedules = {});

} // namespace loom::codegen
