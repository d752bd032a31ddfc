// Lesson 5's model: lesson 1's running_sign, one move of one sequence at a time. Its layers have
// lesson 1's names and sizes, so it reads the parameters lesson 1's program saved; it takes the
// LSTM's state in and gives the next one back, so that the app carries it from move to move.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

LOOM_MODEL(running_sign_stream, model) {
  constexpr int64_t kUnits = 16;
  model.variant_of("running_sign"); // reads and writes running_sign's parameter files
  Tensor move = model.input("move", {1, 1}); // [batch, features]: one move of one sequence
  Tensor h = model.input("h", {1, kUnits});
  Tensor c = model.input("c", {1, kUnits});
  std::vector<Tensor> next = LSTM(model, "lstm", kUnits).step({h, c}, move); // {h, c} after the move
  model.output("logits", Dense(model, "head", 2)(next[0]));
  model.output("h_next", next[0]);
  model.output("c_next", next[1]);
}
