// Lesson 2's program: the GRU trained in PyTorch, compiled by Loom from its ONNX export, answers
// the test batch that export.py saved; it must answer as PyTorch did.
#include "sign.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

int main() {
  loom::models::sign model;
  model.load_parameters(SIGN_PARAMETERS); // the weights loomc took from sign.onnx

  std::ifstream saved("pytorch_outputs.txt"); // the moves, then PyTorch's logits
  if (!saved) {
    std::fprintf(stderr, "no pytorch_outputs.txt here: run export.py in this directory (the build does)\n");
    return 1;
  }
  for (float &move : model.moves())
    saved >> move;
  model.forward();

  constexpr int64_t kSteps = loom::models::sign::moves_shape[0], kBatch = loom::models::sign::moves_shape[1];
  double worst = 0;
  int correct = 0;
  for (int64_t b = 0; b < kBatch; ++b) {
    float sum = 0;
    for (int64_t t = 0; t < kSteps; ++t) {
      sum += model.moves()[t * kBatch + b];
      const float *logits = &model.logits()[2 * (t * kBatch + b)];
      correct += (logits[1] > logits[0]) == (sum > 0);
    }
  }
  for (float logit : model.logits()) {
    float expected = NAN;
    saved >> expected;
    worst = std::max(worst, double(std::abs(logit - expected)));
  }
  std::printf("largest difference from PyTorch's logits: %.2g\n", worst);
  std::printf("accuracy on the test batch: %.3f\n", double(correct) / double(kSteps * kBatch));
  return saved && worst < 1e-5 ? 0 : 1;
}
