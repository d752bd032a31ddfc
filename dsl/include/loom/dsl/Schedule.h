// Custom schedules: a model file may give any kernel that Loom lowers from the model's ops a schedule
// of its own, written with Halide's scheduling API, in place of Loom's:
//
//   LOOM_SCHEDULE(running_sign, forward_kernel4, kernel) {
//     Halide::Func logits = kernel.output(0);
//     logits.compute_root().vectorize(logits.args()[0], 2);
//   }
//
// The kernel is named as `loomc-<model> --emit=schedule` prints it, without the model's prefix
// (running_sign_forward_kernel4 is forward_kernel4), and the body runs once for every target the
// model is compiled for, before Halide compiles the kernel. A schedule changes how a kernel computes,
// never what. Docs: docs/tutorials/04-custom-schedule.
#pragma once

#include "Halide.h"
#include "loom/dsl/Where.h"

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace loom::dsl {

/// One kernel's Halide pipeline with no schedule yet, for one target: what a LOOM_SCHEDULE body
/// schedules. Its Funcs are named after the ops they compute and the ops' places in the kernel
/// (`matmul_0`, `sigmoid_5`, `softmax_2_row_max`); the outputs are `out0`, `out1`, ..., their loop
/// variables `d0` (innermost, the tensor's last axis), `d1`, ...; the kernel's input buffers are read
/// through Funcs `in0_read`, `in1_read`, ... that are best left inlined.
class Kernel {
public:
  Kernel(std::string name, Halide::Target target, std::vector<Halide::Func> outputs,
         std::function<void()> schedule_default)
      : name_(std::move(name)), target_(std::move(target)), outputs_(std::move(outputs)),
        schedule_default_(std::move(schedule_default)) {}

  /// The kernel's name without the model's prefix, as LOOM_SCHEDULE names it: "forward_kernel4".
  const std::string &name() const { return name_; }
  /// The target this run of the body schedules for: the body runs once per target of the model.
  const Halide::Target &target() const { return target_; }
  /// The kernel's outputs, in the order of its output buffers.
  const std::vector<Halide::Func> &outputs() const { return outputs_; }
  /// Output `index`; an index past the last is an error naming how many there are.
  Halide::Func output(size_t index) const {
    if (index >= outputs_.size())
      throw std::out_of_range("kernel " + name_ + " has " + std::to_string(outputs_.size()) +
                              " output(s), so output(" + std::to_string(index) + ") does not exist");
    return outputs_[index];
  }
  /// The Func called `name` that the outputs read; an unknown name is an error listing them all.
  Halide::Func func(const std::string &name) const {
    for (const Halide::Func &f : funcs())
      if (plain_name(f) == name)
        return f;
    std::string names;
    for (const std::string &known : func_names())
      names += (names.empty() ? "" : ", ") + known;
    throw std::invalid_argument("kernel " + name_ + " has no Func named '" + name + "'; its Funcs: " + names);
  }
  /// The names of every Func the outputs read, the outputs included, in alphabetical order.
  std::vector<std::string> func_names() const {
    std::vector<std::string> names;
    for (const Halide::Func &f : funcs())
      names.push_back(plain_name(f));
    return names;
  }
  /// Gives the whole kernel Loom's own schedule instead: for a target the body does not handle, say.
  /// Only before any directive of the body's own, and only once.
  void schedule_default() {
    if (!schedule_default_)
      throw std::logic_error("schedule_default() was already called for kernel " + name_);
    auto schedule = std::move(schedule_default_);
    schedule_default_ = nullptr;
    schedule();
  }

private:
  /// Halide appends "$<n>" to a name already taken in the process (by the same kernel's Funcs for an
  /// earlier target): the name without it.
  static std::string plain_name(const Halide::Func &f) { return f.name().substr(0, f.name().find('$')); }

  std::vector<Halide::Func> funcs() const {
    std::map<std::string, Halide::Func> all;
    for (const Halide::Func &out : outputs_) {
      all.emplace(plain_name(out), out);
      for (const auto &[name, function] : Halide::Internal::find_transitive_calls(out.function()))
        all.emplace(plain_name(Halide::Func(function)), Halide::Func(function));
    }
    std::vector<Halide::Func> funcs;
    for (const auto &[name, f] : all)
      funcs.push_back(f);
    return funcs;
  }

  std::string name_;
  Halide::Target target_;
  std::vector<Halide::Func> outputs_;
  std::function<void()> schedule_default_;
};

using ScheduleDefinition = std::function<void(Kernel &)>;

struct RegisteredSchedule {
  std::string model;  // as in LOOM_MODEL
  std::string kernel; // without the model's prefix
  ScheduleDefinition schedule;
  Where where;
};

/// Every schedule registered in this executable, in registration order.
std::vector<RegisteredSchedule> &registered_schedules();

struct ScheduleRegistration {
  ScheduleRegistration(std::string model, std::string kernel, ScheduleDefinition schedule,
                       Where where = Where::current()) {
    registered_schedules().push_back({std::move(model), std::move(kernel), std::move(schedule), where});
  }
};

} // namespace loom::dsl

/// Registers a schedule for kernel KERNEL of model MODEL (both plain names, as in LOOM_MODEL and
/// --emit=schedule); the body that follows schedules `loom::dsl::Kernel &K`.
#define LOOM_SCHEDULE(MODEL, KERNEL, K)                                                             \
  static void loom_schedule_##MODEL##_##KERNEL(::loom::dsl::Kernel &K);                            \
  static ::loom::dsl::ScheduleRegistration loom_schedule_registration_##MODEL##_##KERNEL(          \
      #MODEL, #KERNEL, loom_schedule_##MODEL##_##KERNEL);                                           \
  static void loom_schedule_##MODEL##_##KERNEL(::loom::dsl::Kernel &K)
