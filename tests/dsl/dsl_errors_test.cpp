// Each test makes one DSL mistake and checks the error names the layer, the shapes and the line.
#include "loom/dsl/Attention.h"
#include "loom/dsl/Decoding.h"
#include "loom/dsl/Layers.h"

#include <gtest/gtest.h>

#include <string>

using namespace loom::dsl;

namespace {

/// Runs `misuse` and returns the ModelError's message (fails the test if nothing is thrown).
template <typename F> std::string errorOf(F &&misuse) {
  try {
    misuse();
  } catch (const ModelError &error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a ModelError";
  return "";
}

std::string at(int line) { return "dsl_errors_test.cpp:" + std::to_string(line) + ": "; }

TEST(DslErrors, DenseOnAVectorNamesLayerShapeAndLine) {
  Model model("m");
  Tensor x = model.input("x", {5});
  int line = __LINE__ + 1;
  Dense head(model, "head", 10);
  std::string message = errorOf([&] { head(x); });
  EXPECT_EQ(message, at(line) +
                         "Dense 'head': expects a float input [batch, features] (or [..., features]), got [5]");
}

TEST(DslErrors, LstmOnAMatrix) {
  Model model("m");
  Tensor x = model.input("x", {2, 3});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { LSTM(model, "encoder", 8)(x); });
  EXPECT_EQ(message, at(line) +
                         "LSTM 'encoder': expects a float sequence [time, batch, features], got [2, 3]");
}

TEST(DslErrors, ZeroUnits) {
  Model model("m");
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { SimpleRNN(model, "rnn", 0); });
  EXPECT_EQ(message, at(line) + "SimpleRNN 'rnn': needs a positive number of units, got 0");
}

TEST(DslErrors, MatmulContractionMismatchAtTopLevel) {
  Model model("m");
  Tensor a = model.input("a", {4, 28});
  Tensor b = model.input("b", {27, 8});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { matmul(a, b); });
  EXPECT_EQ(message, at(line) + "op 'matmul': 'loom.matmul' op contraction sizes differ: lhs "
                                "[4, 28] gives 28, rhs [27, 8] gives 27");
}

TEST(DslErrors, TwoLayersWithOneName) {
  Model model("m");
  Tensor x = model.input("x", {5, 2, 4});
  LSTM(model, "lstm", 8)(x);
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { LSTM(model, "lstm", 8)(x); });
  EXPECT_EQ(message, at(line) + "LSTM 'lstm': parameter 'lstm.weight_ih' is already declared; give "
                                "each layer a unique name");
}

TEST(DslErrors, LossMustBeScalar) {
  Model model("m");
  Tensor x = model.input("x", {2, 10});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { model.minimize(x, Adam{}); });
  EXPECT_EQ(message, at(line) + "loss 'loss': the loss must be a float scalar, got [2, 10]; reduce "
                                "it first (for example with reduce_mean)");
}

TEST(DslErrors, FloatLabels) {
  Model model("m");
  Tensor logits = model.input("logits", {2, 10});
  Tensor labels = model.input("labels", {2});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { sparse_softmax_cross_entropy(logits, labels); });
  EXPECT_EQ(message, at(line) + "op 'sparse_softmax_cross_entropy': labels must be an int32 tensor "
                                "(declare them with integer_input), got float [2]");
}

TEST(DslErrors, LabelsOfAnotherBatchSize) {
  Model model("m");
  Tensor logits = model.input("logits", {2, 10});
  Tensor labels = model.integer_input("labels", {3});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { sparse_softmax_cross_entropy(logits, labels); });
  EXPECT_EQ(message, at(line) + "op 'sparse_softmax_cross_entropy': "
                                "'loom.sparse_softmax_cross_entropy' op needs logits [N, C] and "
                                "labels [N], got logits [2, 10] and labels [3]");
}

TEST(DslErrors, NonPositiveInputDimension) {
  Model model("m");
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { model.input("images", {28, 0, 28}); });
  EXPECT_EQ(message, at(line) + "input 'images': 'images' has shape [28, 0, 28]; every dimension "
                                "must be positive (shapes are static)");
}

TEST(DslErrors, SliceOutOfRange) {
  Model model("m");
  Tensor x = model.input("x", {4, 8});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { slice(x, 1, 6, 4); });
  EXPECT_EQ(message, at(line) + "op 'slice': 'loom.slice' op takes [6, 10) of axis 1, which has "
                                "size 8 in [4, 8]");
}

TEST(DslErrors, ReshapeToAnotherElementCount) {
  Model model("m");
  Tensor x = model.input("x", {6, 1, 5});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { reshape(x, {6, 4}); });
  EXPECT_EQ(message, at(line) + "op 'reshape': 'loom.reshape' op cannot reshape [6, 1, 5] (30 elements) "
                                "to [6, 4] (24 elements)");
}

// A correct model records parameters with PyTorch's names and shapes, and the right output shape.
TEST(Dsl, LstmRecordsPyTorchLayout) {
  Model model("m");
  Tensor x = model.input("x", {28, 16, 28});
  Tensor h = LSTM(model, "lstm", 128)(x);
  EXPECT_EQ(h.shape(), (Shape{16, 128}));
  Tensor seq = LSTM(model, "lstm2", 32, Returns::Sequence)(x);
  EXPECT_EQ(seq.shape(), (Shape{28, 16, 32}));
  Tensor logits = Dense(model, "head", 10)(h);
  EXPECT_EQ(logits.shape(), (Shape{16, 10}));
}

TEST(DslErrors, InitialStateOfTheWrongCount) {
  Model model("m");
  Tensor x = model.input("x", {5, 2, 4});
  Tensor h0 = model.input("h0", {2, 8});
  int line = __LINE__ + 1;
  LSTM lstm(model, "encoder", 8);
  std::string message = errorOf([&] { lstm.run(x, {h0}); });
  EXPECT_EQ(message, at(line) + "LSTM 'encoder': initial_state needs 2 tensors (h, c), got 1");
}

TEST(DslErrors, InitialStateOfTheWrongShape) {
  Model model("m");
  Tensor x = model.input("x", {5, 2, 4});
  Tensor h0 = model.input("h0", {3, 8});
  int line = __LINE__ + 1;
  GRU gru(model, "decoder", 8);
  std::string message = errorOf([&] { gru.run(x, {h0}); });
  EXPECT_EQ(message, at(line) + "GRU 'decoder': initial_state tensors must be [2, 8], got [3, 8]");
}

TEST(DslErrors, FloatLengths) {
  Model model("m");
  Tensor x = model.input("x", {5, 2, 4});
  Tensor lengths = model.input("lengths", {2});
  int line = __LINE__ + 1;
  SimpleRNN rnn(model, "rnn", 3);
  std::string message = errorOf([&] { rnn.run(x, {}, lengths); });
  EXPECT_EQ(message, at(line) + "SimpleRNN 'rnn': lengths must be int32 [2], got [2]");
}

TEST(DslErrors, OptionOfAnotherLayer) {
  Model model("m");
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { GRU(model, "gru", 4, RecurrentOptions{.activation = Activation::Relu}); });
  EXPECT_EQ(message, at(line) + "GRU 'gru': the activation option is SimpleRNN's; GRU has fixed nonlinearities");
}

TEST(DslErrors, ReusedLayerWithOtherInputFeatures) {
  Model model("m");
  Tensor a = model.input("a", {5, 2, 4});
  Tensor b = model.input("b", {5, 2, 6});
  int line = __LINE__ + 1;
  GRU gru(model, "gru", 4);
  gru(a);
  std::string message = errorOf([&] { gru(b); });
  EXPECT_EQ(message, at(line) + "GRU 'gru': was built for 4 input features, got 6");
}

TEST(DslErrors, EmbeddingOfFloats) {
  Model model("m");
  Tensor x = model.input("x", {5, 2});
  int line = __LINE__ + 1;
  Embedding embedding(model, "words", 100, 8);
  std::string message = errorOf([&] { embedding(x); });
  EXPECT_EQ(message, at(line) + "Embedding 'words': expects int32 token ids, got float [5, 2]");
}

TEST(DslErrors, SequenceLossShapes) {
  Model model("m");
  Tensor logits = model.input("logits", {5, 2, 7});
  Tensor labels = model.integer_input("labels", {5, 3});
  Tensor weights = model.input("weights", {5, 2});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { sequence_loss(logits, labels, weights); });
  EXPECT_EQ(message, at(line) + "op 'sequence_loss': needs logits [T, B, C], int32 labels [T, B] and float "
                                "weights [T, B], got [5, 2, 7], [5, 3] and [5, 2]");
}

TEST(DslErrors, DropoutRate) {
  Model model("m");
  Tensor x = model.input("x", {5, 2});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { dropout(x, 1.0); });
  EXPECT_EQ(message, at(line) + "op 'dropout': needs a rate in [0, 1), got 1");
}

TEST(DslErrors, OptimizerHyperparameters) {
  Model model("m");
  Tensor w = model.parameter("w", {2}, Initializer::zeros());
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { model.minimize(reduce_sum(w, {0}), SGD{.momentum = 1.0}); });
  EXPECT_EQ(message, at(line) + "loss 'loss': SGD needs learning_rate > 0 and 0 <= momentum < 1");
}

TEST(DslErrors, AttentionQueryOfAnotherBatch) {
  Model model("m");
  Tensor values = model.input("values", {6, 4, 8});
  Tensor query = model.input("query", {3, 5});
  int line = __LINE__ + 1;
  Attention attention(model, "attention", AttentionScore::Additive, 7);
  AttentionMemory memory = attention.memory(values);
  std::string message = errorOf([&] { attention(memory, query); });
  EXPECT_EQ(message, at(line) + "Attention 'attention': expects a float query [4, features] for values [6, 4, 8], "
                                "got [3, 5]");
}

TEST(DslErrors, DotAttentionNeedsQueriesAsWideAsValues) {
  Model model("m");
  Tensor values = model.input("values", {6, 4, 8});
  Tensor query = model.input("query", {4, 5});
  int line = __LINE__ + 1;
  Attention attention(model, "attention", AttentionScore::Dot);
  std::string message = errorOf([&] { attention(attention.memory(values), query); });
  EXPECT_EQ(message, at(line) + "Attention 'attention': the dot score needs queries as wide as the values (8 "
                                "features), got [4, 5]");
}

TEST(DslErrors, AttentionLengthsOfAnotherBatch) {
  Model model("m");
  Tensor values = model.input("values", {6, 4, 8});
  Tensor lengths = model.integer_input("lengths", {3});
  int line = __LINE__ + 1;
  Attention attention(model, "attention", AttentionScore::General);
  std::string message = errorOf([&] { attention.memory(values, lengths); });
  EXPECT_EQ(message, at(line) + "Attention 'attention': expects int32 lengths [4] for values [6, 4, 8], got "
                                "int32 [3]");
}

TEST(DslErrors, TopKOfMoreThanTheRow) {
  Model model("m");
  Tensor x = model.input("x", {2, 3});
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { top_k(x, 5); });
  EXPECT_EQ(message.rfind(at(line) + "op 'top_k': ", 0), 0u) << message;
  EXPECT_NE(message.find("needs an operand [..., N] with N >= k = 5, got [2, 3]"), std::string::npos) << message;
}

TEST(DslErrors, BeamSearchStateOfAnotherSize) {
  Model model("m");
  Tensor h = model.input("h", {3, 8});
  int line = __LINE__ + 2;
  std::string message = errorOf([&] {
    beam_search(model, {.batch = 2, .width = 4, .steps = 5}, {h}, [&](const std::vector<Tensor> &state, const Tensor &) {
      return BeamStep{state, state[0]};
    });
  });
  EXPECT_EQ(message, at(line) + "decoder 'beam_search': needs initial states [batch * width, ...] = [8, ...], got "
                                "[3, 8]");
}

TEST(DslErrors, ConstantWithTheWrongNumberOfValues) {
  Model model("m");
  int line = __LINE__ + 1;
  std::string message = errorOf([&] { model.constant({2, 2}, std::vector<float>{1, 2, 3}); });
  EXPECT_EQ(message, at(line) + "a constant [2, 2] needs 4 values, got 3");
}

} // namespace
