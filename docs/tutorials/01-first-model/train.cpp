// Lesson 1's program: trains running_sign on random sequences, saves its parameters, loads them
// into a second instance and measures that one's accuracy on sequences it has never seen.
#include "running_sign.h"

#include <cstdio>
#include <random>

using Model = loom::models::running_sign;

// Fills the inputs with a random batch: steps of +1 or -1 and, per step, whether the sum is > 0.
void random_batch(Model &model, std::mt19937 &random) {
  constexpr int64_t kSteps = Model::moves_shape[0], kBatch = Model::moves_shape[1];
  for (int64_t b = 0; b < kBatch; ++b) {
    int sum = 0;
    for (int64_t t = 0; t < kSteps; ++t) {
      int move = random() % 2 ? 1 : -1;
      sum += move;
      model.moves()[t * kBatch + b] = float(move);
      model.positive()[t * kBatch + b] = sum > 0 ? 1 : 0;
    }
  }
}

// The share of steps whose larger logit is the label's.
double accuracy(Model &model) {
  int correct = 0;
  for (size_t i = 0; i < model.positive().size(); ++i) {
    int predicted = model.logits()[2 * i + 1] > model.logits()[2 * i] ? 1 : 0;
    correct += predicted == model.positive()[i];
  }
  return double(correct) / double(model.positive().size());
}

int main() {
  std::mt19937 random(7);
  Model model(/*seed=*/1);
  for (int step = 1; step <= 300; ++step) {
    random_batch(model, random);
    float loss = model.train_step();
    if (step % 50 == 0)
      std::printf("step %3d  loss %.4f  accuracy %.3f\n", step, loss, accuracy(model));
  }
  model.save_parameters("running_sign.params");

  Model trained; // a fresh instance, as an inference program would make
  trained.load_parameters("running_sign.params");
  random_batch(trained, random);
  trained.forward();
  std::printf("accuracy on new sequences: %.3f\n", accuracy(trained));
  return accuracy(trained) > 0.95 ? 0 : 1;
}
