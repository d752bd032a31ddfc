// Fashion-MNIST classifier, the classic "image rows as time steps" RNN: each 28x28 image is a
// sequence of 28 rows of 28 pixels, read by an LSTM with 128 units; a Dense head gives 10 classes.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {
constexpr int64_t kRows = 28, kBatch = 128, kPixels = 28, kUnits = 128, kClasses = 10;
} // namespace

LOOM_MODEL(fashion_mnist, model) {
  Tensor images = model.input("images", {kRows, kBatch, kPixels}); // time-major: [T, B, I]
  Tensor labels = model.integer_input("labels", {kBatch});
  Tensor last = LSTM(model, "lstm", kUnits)(images);
  Tensor logits = Dense(model, "classifier", kClasses)(last);
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, labels), Adam{.learning_rate = 1e-3});
}
