// Runs a trained hihello on "hihell" and prints, per step, the top characters with probabilities.
#include "characters.h"

#include "loom/runtime/metrics.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  std::string checkpoint = "hihello.params";
  int top = 3;
  CLI::App app{"Runs a trained hihello on \"hihell\" and shows its top characters per step.", "infer_hihello"};
  app.add_option("checkpoint", checkpoint, "parameters saved by train_hihello")->capture_default_str();
  app.add_option("--top-k", top, "characters to show per step")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    hihello::Model model;
    model.load_parameters(checkpoint);
    hihello::fill(model, hihello::kInput, hihello::kTarget);
    model.forward();
    std::printf("\"%s\" -> \"%s\"\n", std::string(hihello::kInput).c_str(), hihello::prediction(model).c_str());
    for (size_t t = 0; t < hihello::kInput.size(); ++t) {
      std::printf("  after '%c':", hihello::kInput[t]);
      auto probabilities = loom::softmax(model.logits().subspan(t * hihello::kClasses, hihello::kClasses));
      for (const loom::ClassScore &score : loom::top_k(probabilities, top))
        std::printf("  %c %5.1f%%", hihello::kCharacters[size_t(score.index)], 100.0 * score.score);
      std::printf("\n");
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_hihello: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
