// Lesson 5's app: after every move of a sequence of + and - moves, says whether the sum so far is
// positive, with the parameters that lesson 1's program trained. It runs the model one move at a
// time and carries the LSTM's state from one call to the next, so a sequence may have any length.
#include "running_sign_stream.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PARAMETERS MOVES (for example: %s running_sign.params +-++-)\n", argv[0],
                 argv[0]);
    return 2;
  }
  const std::string moves = argv[2];
  if (moves.empty() || moves.find_first_not_of("+-") != std::string::npos) {
    std::fprintf(stderr, "sign_app: MOVES is a sequence of + and -, got '%s'\n", moves.c_str());
    return 2;
  }
  loom::models::running_sign_stream model;
  try {
    model.load_parameters(argv[1]); // a missing, damaged or foreign file is refused with a reason
  } catch (const std::exception &error) {
    std::fprintf(stderr, "sign_app: %s\n", error.what());
    return 1;
  }

  std::fill(model.h().begin(), model.h().end(), 0.0f); // the state before the first move
  std::fill(model.c().begin(), model.c().end(), 0.0f);
  std::string answers;
  int sum = 0, wrong = 0;
  for (char move : moves) {
    model.move()[0] = move == '+' ? 1.0f : -1.0f;
    model.forward();
    std::copy(model.h_next().begin(), model.h_next().end(), model.h().begin());
    std::copy(model.c_next().begin(), model.c_next().end(), model.c().begin());
    bool positive = model.logits()[1] > model.logits()[0];
    answers += positive ? 'y' : 'n';
    sum += move == '+' ? 1 : -1;
    wrong += positive != (sum > 0);
  }
  std::printf("moves     %s\npositive? %s\n%d of %zu answers wrong\n", moves.c_str(), answers.c_str(), wrong,
              moves.size());
  return 0;
}
