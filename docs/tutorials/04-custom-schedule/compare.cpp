// Lesson 4's program: the tagger computes the same logits with Loom's schedules and with the
// lesson's schedule of its head; then the head kernel alone is timed with each.
#include "step_tagger.h"
#include "step_tagger_kernels.h"
#include "step_tagger_tuned.h"
#include "step_tagger_tuned_kernels.h"

#include <HalideBuffer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using Halide::Runtime::Buffer;

// One call of `kernel` in microseconds: the median of 15 rounds of 100 calls.
template <typename Kernel> double microseconds_per_call(Kernel kernel) {
  std::vector<double> rounds;
  for (int round = 0; round < 15; ++round) {
    auto start = std::chrono::steady_clock::now();
    for (int call = 0; call < 100; ++call)
      kernel();
    std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    rounds.push_back(elapsed.count() / 100);
  }
  std::nth_element(rounds.begin(), rounds.begin() + 7, rounds.end());
  return rounds[7];
}

int main() {
  loom::models::step_tagger plain(/*seed=*/1);
  plain.save_parameters("step_tagger.params");
  loom::models::step_tagger_tuned tuned; // a variant of step_tagger: it loads step_tagger's files
  tuned.load_parameters("step_tagger.params");
  std::mt19937 random(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (size_t i = 0; i < tuned.x().size(); ++i)
    plain.x()[i] = tuned.x()[i] = uniform(random);
  plain.forward();
  tuned.forward();
  float difference = 0;
  for (size_t i = 0; i < tuned.logits().size(); ++i)
    difference = std::max(difference, std::abs(tuned.logits()[i] - plain.logits()[i]));
  std::printf("largest difference between the two schedules' logits: %.1g\n", difference);

  // The head kernel alone, called as the generated class calls it: the LSTM's states [50, 32, 128],
  // the bias [2], the weight packed in panels [1, 128, 16], the logits [1600, 2] (a Halide buffer
  // lists its dimensions innermost first).
  Buffer<float> states(128, 32, 50), bias(2), panels(16, 128, 1), logits(2, 1600);
  for (Buffer<float> *buffer : {&states, &bias, &panels})
    buffer->for_each_value([&](float &value) { value = uniform(random); });
  double loom_time = microseconds_per_call([&] {
    step_tagger_forward_kernel5(states.raw_buffer(), bias.raw_buffer(), panels.raw_buffer(), logits.raw_buffer());
  });
  double tuned_time = microseconds_per_call([&] {
    step_tagger_tuned_forward_kernel5(states.raw_buffer(), bias.raw_buffer(), panels.raw_buffer(),
                                      logits.raw_buffer());
  });
  std::printf("head kernel: %.1f us with Loom's schedule, %.1f us with this one (%.1fx)\n", loom_time,
              tuned_time, loom_time / tuned_time);
  return difference <= 1e-5f ? 0 : 1;
}
