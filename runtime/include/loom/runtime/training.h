// What every Loom training program shares: the common command-line options (CLI11), resuming from
// a checkpoint, the loss log with its PNG curve, and stopping cleanly on a non-finite loss.
//
//   loom::TrainingOptions options{.epochs = 20, .checkpoint = "charlm.checkpoint"};
//   CLI::App app{"Trains ..."};
//   loom::add_training_options(app, options);
//   CLI11_PARSE(app, argc, argv);
//   loom::TrainingLog log("charlm");
//   int64_t first_step = loom::start_or_resume(model, options);   // 0, or the checkpoint's step
//   ... log.record_step(model.steps(), model.train_step(), options.checkpoint) ...
//   ... log.record_evaluation(model.steps(), "validation loss", value); model.save_checkpoint(...) ...
//   log.write_loss_curve(options.loss_curve);
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "loom/runtime/plot.h"

namespace loom {

struct TrainingOptions {
  int epochs = 1;
  uint64_t seed = 1;
  std::string checkpoint;        // written atomically after every epoch
  int64_t checkpoint_every = 0;  // also after every this many optimizer steps; 0: only after epochs
  bool resume = false;           // continue from `checkpoint` instead of starting afresh
  std::string loss_curve;        // PNG written after every epoch; empty: none

  // Whether a checkpoint is due after `steps` optimizer steps under --checkpoint-every.
  bool checkpoint_due(int64_t steps) const { return checkpoint_every > 0 && steps % checkpoint_every == 0; }
};

// Adds --epochs, --seed, --checkpoint, --resume and --loss-curve, whose defaults are the values
// `options` holds.
void add_training_options(CLI::App& app, TrainingOptions& options);
// Adds --checkpoint-every, for programs that checkpoint inside epochs and resume there (their
// data order and every other state of an epoch follow from the seed and the step).
void add_checkpoint_every_option(CLI::App& app, TrainingOptions& options);

// Where a run stands after `steps` optimizer steps of `steps_per_epoch` each: the epoch it is in
// (from 1) and the batches of that epoch already done. A run resumed inside an epoch continues that
// epoch at its next batch, in the same order, as if it had never stopped.
struct TrainingPosition {
  int epoch;
  int64_t batches_done;
};
TrainingPosition training_position(int64_t steps, int64_t steps_per_epoch);

// With --resume, restores the checkpoint (parameters, optimizer state, step, random seed) and says
// so; otherwise initializes the parameters from --seed. Returns the number of steps already taken.
template <typename Model> int64_t start_or_resume(Model& model, const TrainingOptions& options) {
  if (!options.resume) {
    model.initialize_parameters(options.seed);
    return 0;
  }
  model.load_checkpoint(options.checkpoint);
  std::printf("resumed from %s after %lld steps\n", options.checkpoint.c_str(), (long long)model.steps());
  return model.steps();
}

// Losses per optimizer step and evaluation metrics per epoch, for the loss-curve image.
class TrainingLog {
 public:
  explicit TrainingLog(std::string model_name);

  // Records a step's loss. A NaN or infinite loss throws loom::Error saying at which step training
  // stopped and that `kept` (the last checkpoint) still holds the last good state.
  void record_step(int64_t step, float loss, const std::string& kept);
  // Records a metric measured after `step` (a validation loss, an accuracy); one curve per metric.
  void record_evaluation(int64_t step, const std::string& metric, double value);
  // The training loss (its running mean over about 1% of the steps, so the trend shows) and every
  // metric recorded so far, against the step. Does nothing when `path` is empty.
  void write_loss_curve(const std::string& path) const;

  const std::vector<ChartPoint>& losses() const { return losses_; }

 private:
  std::string model_name_;
  std::vector<ChartPoint> losses_;
  std::map<std::string, std::vector<ChartPoint>> evaluations_;
};

}  // namespace loom
