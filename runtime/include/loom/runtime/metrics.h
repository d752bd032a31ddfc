// Turning model outputs into predictions and scores (softmax, top-k, argmax, accuracy), and a console progress bar
// for training epochs.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "loom/runtime/tensor.h"

namespace loom {

// Probabilities from one row of logits; subtracts the maximum first so large logits do not overflow.
std::vector<float> softmax(std::span<const float> logits);

struct ClassScore {
  int64_t index;
  float score;
};

// The k highest scores (k is clamped to the row length), highest first; ties go to the lower index and NaN ranks
// below everything, so the order is fully determined.
std::vector<ClassScore> top_k(std::span<const float> scores, int64_t k);

// Index of the highest score, the first one on ties. Throws loom::Error for an empty row.
int64_t argmax(std::span<const float> scores);

// Rows of `logits` ([batch, classes]) whose argmax equals the label; throws loom::Error when the batch sizes differ.
int64_t count_correct(const Tensor& logits, std::span<const int32_t> labels);
// count_correct divided by the batch size; 0 for an empty batch.
double accuracy(const Tensor& logits, std::span<const int32_t> labels);

enum class ProgressStyle {
  redraw_line,      // one line rewritten with '\r', for a terminal
  line_per_update,  // a full line at every tenth of the epoch and at its end, for logs
};

// redraw_line when standard output is a terminal, line_per_update otherwise (CI logs, pipes, files).
ProgressStyle default_progress_style();

// Shows step/total, loss, accuracy, examples per second and time left while an epoch runs:
//   epoch 1/10 [=========>          ] 312/938 loss 0.4123 acc 85.2% 10234 ex/s 0:42 left
class ProgressBar {
 public:
  // Seconds since any fixed origin; replaceable so tests can control time.
  using Clock = std::function<double()>;

  ProgressBar(std::string title, int64_t total_steps, std::ostream& out, ProgressStyle style, Clock clock);
  // Writes to standard output in default_progress_style(), timed by a steady clock.
  ProgressBar(std::string title, int64_t total_steps);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // Calls finish().
  ~ProgressBar();

  // `step` counts completed steps (1..total_steps), `examples` the examples seen so far in this epoch; loss and
  // accuracy describe whatever the caller wants shown (a running mean, usually).
  void update(int64_t step, int64_t examples, double loss, double accuracy);
  // Ends the line in redraw_line style. Further calls do nothing.
  void finish();

 private:
  std::string render(int64_t step, int64_t examples, double loss, double accuracy) const;

  std::string title_;
  int64_t total_steps_;
  std::ostream& out_;
  ProgressStyle style_;
  Clock clock_;
  double start_seconds_;
  int64_t next_logged_tenth_ = 1;
  std::size_t drawn_width_ = 0;
  bool finished_ = false;
};

}  // namespace loom
