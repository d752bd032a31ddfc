// Trains the greeting model on "hihell" -> "ihello" from seed 7, prints every tenth loss exactly (as a
// hexadecimal float) and the prediction, and fails unless the model has learned the string.
#include "greeting.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

int main() {
  constexpr std::string_view kAlphabet = "hielo", kInput = "hihell", kTarget = "ihello";
  try {
    loom::models::greeting model(/*seed=*/7);
    for (size_t t = 0; t < kInput.size(); ++t) {
      model.characters()[t] = int32_t(kAlphabet.find(kInput[t]));
      model.next()[t] = int32_t(kAlphabet.find(kTarget[t]));
    }
    for (int step = 1; step <= 60; ++step) {
      float loss = model.train_step();
      if (step % 10 == 0)
        std::printf("step %d loss %a (%.4f)\n", step, loss, loss);
    }
    model.forward();
    std::string predicted;
    for (size_t t = 0; t < kInput.size(); ++t) {
      auto row = model.logits().subspan(t * kAlphabet.size(), kAlphabet.size());
      predicted += kAlphabet[size_t(std::max_element(row.begin(), row.end()) - row.begin())];
    }
    std::printf("\"%s\" -> \"%s\"\n", std::string(kInput).c_str(), predicted.c_str());
    return predicted == kTarget ? 0 : 1;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "greet: error: %s\n", error.what());
    return 1;
  }
}
