// Training programs' shared options and the loss log.
#include "loom/runtime/training.h"

#include <algorithm>
#include <cmath>

#include "loom/runtime/errors.h"

namespace loom {

void add_training_options(CLI::App& app, TrainingOptions& options) {
  app.add_option("--epochs", options.epochs, "passes over the training data")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--seed", options.seed, "seed of the parameters, the data order and dropout")
      ->capture_default_str();
  app.add_option("--checkpoint", options.checkpoint,
                 "checkpoint written atomically after every epoch (parameters and training state)")
      ->capture_default_str();
  app.add_flag("--resume", options.resume, "continue from --checkpoint where it stopped");
  app.add_option("--loss-curve", options.loss_curve, "PNG image of the loss curve (empty: none)")
      ->capture_default_str();
}

void add_checkpoint_every_option(CLI::App& app, TrainingOptions& options) {
  app.add_option("--checkpoint-every", options.checkpoint_every,
                 "also write the checkpoint after every N optimizer steps (0: only after every epoch); --resume "
                 "then continues inside the epoch")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

TrainingPosition training_position(int64_t steps, int64_t steps_per_epoch) {
  if (steps < 0 || steps_per_epoch <= 0)
    throw Error("training_position: " + std::to_string(steps) + " steps with " + std::to_string(steps_per_epoch) +
                " steps per epoch; both must be positive (the steps may be 0).");
  return {int(steps / steps_per_epoch) + 1, steps % steps_per_epoch};
}

TrainingLog::TrainingLog(std::string model_name) : model_name_(std::move(model_name)) {}

void TrainingLog::record_step(int64_t step, float loss, const std::string& kept) {
  if (!std::isfinite(loss))
    throw Error("the loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                std::to_string(step) + "; training stopped" +
                (kept.empty() ? std::string(".") : ", and " + kept + " still holds the last good checkpoint."));
  losses_.push_back({double(step), double(loss)});
}

void TrainingLog::record_evaluation(int64_t step, const std::string& metric, double value) {
  evaluations_[metric].push_back({double(step), value});
}

void TrainingLog::write_loss_curve(const std::string& path) const {
  if (path.empty() || losses_.empty())
    return;
  // A running mean over about 1% of the steps: per-batch losses are noisy.
  const size_t window = std::max<size_t>(1, losses_.size() / 100);
  ChartSeries training{"training loss", {}, std::nullopt, false};
  double sum = 0;
  for (size_t i = 0; i < losses_.size(); ++i) {
    sum += losses_[i].y;
    if (i >= window)
      sum -= losses_[i - window].y;
    training.points.push_back({losses_[i].x, sum / double(std::min(i + 1, window))});
  }
  LineChart chart{model_name_ + ": training", "optimizer step", "loss", {training}};
  for (const auto& [metric, points] : evaluations_)
    chart.series.push_back({metric, points, std::nullopt, true});
  write_line_chart_png(path, chart);
}

}  // namespace loom
