// Trains the tagger of tagger.mlir for 30 SGD steps on one fixed batch, printing every tenth loss
// exactly (as a hexadecimal float); fails unless the loss fell.
#include "tagger.h"

#include <cmath>
#include <cstdio>
#include <exception>

int main() {
  try {
    loom::models::tagger model(/*seed=*/3);
    for (size_t i = 0; i < model.words().size(); ++i)
      model.words()[i] = float(std::sin(0.7 * double(i)));
    for (size_t i = 0; i < model.tags().size(); ++i)
      model.tags()[i] = int32_t(i % 3);
    float first = 0, loss = 0;
    for (int step = 1; step <= 30; ++step) {
      loss = model.train_step();
      if (step == 1)
        first = loss;
      if (step % 10 == 0)
        std::printf("step %d loss %a (%.4f)\n", step, loss, loss);
    }
    return loss < first ? 0 : 1;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "tag: error: %s\n", error.what());
    return 1;
  }
}
