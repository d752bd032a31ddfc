// Word completion, the classic TensorFlow RNN tutorial: a 2-layer LSTM reads the first three letters
// of a four-letter word (one-hot over a-z, one letter per step) and an output layer predicts the
// fourth. As in the tutorial, the first layer's outputs go through dropout (rate 0.5) on their way
// to the second layer while training, all ten words form one batch, and Adam's rate is 0.01.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {
constexpr int64_t kPrefixLetters = 3, kWords = 10, kLetters = 26, kUnits = 128, kLayers = 2;
} // namespace

LOOM_MODEL(word_completion, model) {
  Tensor prefixes = model.integer_input("prefixes", {kPrefixLetters, kWords}); // letter ids, time-major [T, B]
  Tensor last_letters = model.integer_input("last_letters", {kWords});
  // TensorFlow's initializers (Glorot kernels, the forget gate's bias 1), as the tutorial's cells had.
  Stacked<LSTM> lstm(model, "lstm", kUnits, kLayers, /*dropout_rate=*/0.5,
                     RecurrentOptions{.initialization = Initialization::Keras});
  Tensor last = lstm(one_hot(prefixes, kLetters)); // the second layer's last state [B, units]
  // The tutorial's output layer, logits = outputs W + b with W and b drawn from N(0, 1): its large
  // weights make the ten completions separate within 30 epochs (torch.nn.Linear's small uniform
  // start, Dense here, needs about three times as many).
  Tensor weight = model.parameter("output.weight", {kUnits, kLetters}, Initializer::normal(1.0));
  Tensor bias = model.parameter("output.bias", {kLetters}, Initializer::normal(1.0));
  Tensor logits = bias_add(matmul(last, weight), bias);
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, last_letters), Adam{.learning_rate = 0.01});
}
