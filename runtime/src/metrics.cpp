// Prediction helpers and the training progress bar; see metrics.h.
#include "loom/runtime/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "loom/runtime/errors.h"

namespace loom {

std::vector<float> softmax(std::span<const float> logits) {
  std::vector<float> probabilities(logits.size());
  if (logits.empty()) return probabilities;
  const float max_logit = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    probabilities[i] = std::exp(logits[i] - max_logit);
    sum += probabilities[i];
  }
  for (float& probability : probabilities) probability = static_cast<float>(probability / sum);
  return probabilities;
}

namespace {

// A strict total order even with NaN and ties, which partial_sort needs to be well-defined.
bool ranks_before(const ClassScore& a, const ClassScore& b) {
  const bool a_nan = std::isnan(a.score);
  const bool b_nan = std::isnan(b.score);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.score != b.score) return a.score > b.score;
  return a.index < b.index;
}

}  // namespace

std::vector<ClassScore> top_k(std::span<const float> scores, int64_t k) {
  std::vector<ClassScore> ranked(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) ranked[i] = {static_cast<int64_t>(i), scores[i]};
  const auto kept = static_cast<std::size_t>(std::clamp<int64_t>(k, 0, static_cast<int64_t>(ranked.size())));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept), ranked.end(), ranks_before);
  ranked.resize(kept);
  return ranked;
}

int64_t argmax(std::span<const float> scores) {
  if (scores.empty()) throw Error("argmax needs at least one score, but the row is empty.");
  return top_k(scores, 1).front().index;
}

int64_t count_correct(const Tensor& logits, std::span<const int32_t> labels) {
  if (logits.rank() != 2 || logits.shape[0] != static_cast<int64_t>(labels.size())) {
    throw Error(
        "Counting correct predictions needs logits of shape [batch, classes] and one label per example, "
        "but got logits of shape " +
        logits.shape_string() + " and " + std::to_string(labels.size()) + " labels.");
  }
  int64_t correct = 0;
  for (int64_t example = 0; example < logits.shape[0]; ++example) {
    if (argmax(logits.row(example)) == labels[static_cast<std::size_t>(example)]) ++correct;
  }
  return correct;
}

double accuracy(const Tensor& logits, std::span<const int32_t> labels) {
  const int64_t correct = count_correct(logits, labels);
  return labels.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(labels.size());
}

ProgressStyle default_progress_style() {
  return ::isatty(STDOUT_FILENO) ? ProgressStyle::redraw_line : ProgressStyle::line_per_update;
}

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "1:05" or "2:03:07".
std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  }
  return text;
}

constexpr int kBarWidth = 20;

}  // namespace

ProgressBar::ProgressBar(std::string title, int64_t total_steps, std::ostream& out, ProgressStyle style, Clock clock)
    : title_(std::move(title)),
      total_steps_(total_steps),
      out_(out),
      style_(style),
      clock_(std::move(clock)),
      start_seconds_(clock_()) {
  if (total_steps_ <= 0) {
    throw Error("A progress bar needs a positive number of steps, but got " + std::to_string(total_steps_) + ".");
  }
}

ProgressBar::ProgressBar(std::string title, int64_t total_steps)
    : ProgressBar(std::move(title), total_steps, std::cout, default_progress_style(), steady_seconds) {}

ProgressBar::~ProgressBar() {
  try {
    finish();
  } catch (...) {
    // A failing stream must not turn unwinding into termination.
  }
}

std::string ProgressBar::render(int64_t step, int64_t examples, double loss, double accuracy) const {
  const double elapsed = clock_() - start_seconds_;
  std::string text = title_;
  if (style_ == ProgressStyle::redraw_line) {
    const auto filled = static_cast<int>(kBarWidth * step / total_steps_);
    text += " [" + std::string(static_cast<std::size_t>(filled), '=') + (filled < kBarWidth ? ">" : "") +
            std::string(static_cast<std::size_t>(std::max(kBarWidth - filled - 1, 0)), ' ') + "]";
  }
  char numbers[128];
  std::snprintf(numbers, sizeof numbers, " %lld/%lld loss %.4f acc %.1f%%", static_cast<long long>(step),
                static_cast<long long>(total_steps_), loss, 100.0 * accuracy);
  text += numbers;
  if (elapsed > 0.0) {
    std::snprintf(numbers, sizeof numbers, " %.0f ex/s", static_cast<double>(examples) / elapsed);
    text += numbers;
    if (step >= total_steps_) {
      text += " took " + format_duration(elapsed);
    } else if (step > 0) {
      const double seconds_per_step = elapsed / static_cast<double>(step);
      text += ' ' + format_duration(seconds_per_step * static_cast<double>(total_steps_ - step)) + " left";
    }
  }
  return text;
}

void ProgressBar::update(int64_t step, int64_t examples, double loss, double accuracy) {
  step = std::clamp<int64_t>(step, 0, total_steps_);
  if (style_ == ProgressStyle::redraw_line) {
    const std::string text = render(step, examples, loss, accuracy);
    // Spaces erase what a longer previous line left behind.
    out_ << '\r' << text << std::string(drawn_width_ > text.size() ? drawn_width_ - text.size() : 0, ' ') << std::flush;
    drawn_width_ = std::max(drawn_width_, text.size());
    return;
  }
  if (step * 10 < next_logged_tenth_ * total_steps_) return;
  out_ << render(step, examples, loss, accuracy) << '\n' << std::flush;
  next_logged_tenth_ = step * 10 / total_steps_ + 1;
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (style_ == ProgressStyle::redraw_line && drawn_width_ > 0) out_ << '\n' << std::flush;
}

}  // namespace loom
