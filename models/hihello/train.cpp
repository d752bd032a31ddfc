// Trains hihello for 50 Adam steps, printing the loss and the predicted string as it learns; saves
// the parameters and fails unless the model then predicts "ihello" from "hihell".
#include "characters.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv) {
  std::string checkpoint = "hihello.params";
  CLI::App app{"Trains hihello for 50 Adam steps and checks that it predicts \"ihello\".", "train_hihello"};
  app.add_option("checkpoint", checkpoint, "where to save the trained parameters")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    hihello::Model model(/*seed=*/1);
    hihello::fill(model, hihello::kInput, hihello::kTarget);
    for (int step = 1; step <= 50; ++step) {
      float loss = model.train_step();
      if (step == 1 || step % 5 == 0) // the prediction of the step's forward pass, before its update
        std::printf("step %2d  loss %.4f  prediction: %s\n", step, loss, hihello::prediction(model).c_str());
    }
    model.forward();
    std::string predicted = hihello::prediction(model);
    model.save_parameters(checkpoint);
    std::printf("after training: \"%s\" -> \"%s\"; saved %s\n", std::string(hihello::kInput).c_str(),
                predicted.c_str(), checkpoint.c_str());
    if (predicted != hihello::kTarget) {
      std::fprintf(stderr, "train_hihello: the model predicts \"%s\", not \"ihello\"\n", predicted.c_str());
      return 1;
    }
    return 0;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_hihello: error: %s\n", error.what());
    return 1;
  }
}
