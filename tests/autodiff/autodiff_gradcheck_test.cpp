// loom-autodiff's gradients, run by the double-precision interpreter, against central finite
// differences of the forward loss, for every parameter of models built with the DSL.
#include "Passes.h"
#include "loom/dsl/Attention.h"
#include "loom/interpreter/Interpreter.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

using namespace loom;
using namespace loom::dsl;
using interpreter::NamedValues;

namespace {

/// splitmix64: a fixed, portable stream of test values.
class Values {
public:
  explicit Values(uint64_t seed) : state_(seed) {}
  double uniform(double lo, double hi) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return lo + (hi - lo) * double(z >> 11) / double(1ULL << 53);
  }

private:
  uint64_t state_;
};

/// Runs the training pipeline without the optimizer, so @train_step ends in parameter gradients.
void differentiate(Model &model) {
  mlir::PassManager pm(&model.context());
  pm.addPass(createVerifyModelPass());
  pm.addNestedPass<mlir::FuncOp>(createInferShapesPass());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(createAutodiffPass());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  ASSERT_TRUE(mlir::succeeded(pm.run(model.module())));
}

/// Random values for every loom.parameter and float loom.input; integer inputs from `labels`.
void fill(mlir::FuncOp f, Values &values, NamedValues &parameters, NamedValues &inputs,
          int64_t classes) {
  f.walk([&](mlir::Operation *op) {
    auto named = [&](NamedValues &into, llvm::StringRef name, mlir::Value v) {
      auto type = v.getType().cast<mlir::RankedTensorType>();
      interpreter::Value value{{type.getShape().begin(), type.getShape().end()}, {}};
      bool integer = type.getElementType().isInteger(32);
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        value.data.push_back(integer ? double(int64_t(values.uniform(0, double(classes)))) : values.uniform(-1, 1));
      into[name.str()] = value;
    };
    if (auto p = llvm::dyn_cast<ParameterOp>(op))
      named(parameters, p.name(), p.getResult());
    else if (auto in = llvm::dyn_cast<InputOp>(op))
      named(inputs, in.name(), in.getResult());
  });
}

/// Compares every parameter gradient of @train_step with central differences of its own loss
/// (the same as @forward's unless the model has dropout, which only training applies). `given`
/// replaces some of the random inputs (lengths, for example).
void checkGradients(Model &model, int64_t classes, uint64_t seed, const NamedValues &given = {}) {
  differentiate(model);
  auto forward = model.module().lookupSymbol<mlir::FuncOp>("forward");
  auto train = model.module().lookupSymbol<mlir::FuncOp>("train_step");
  ASSERT_TRUE(train) << "loom-autodiff built no @train_step";
  Values values(seed);
  NamedValues parameters, inputs;
  fill(forward, values, parameters, inputs, classes);
  for (const auto &[name, value] : given)
    inputs[name] = value;
  inputs["random_state"] = {{2}, {double(seed), 1.0}};
  interpreter::Result analytic = interpreter::run(train, inputs, parameters);
  ASSERT_EQ(analytic.gradients.size(), parameters.size()) << "a parameter got no gradient";

  const double eps = 1e-6;
  double worst = 0;
  for (auto &[name, parameter] : parameters) {
    const interpreter::Value &gradient = analytic.gradients.at(name);
    ASSERT_EQ(gradient.shape, parameter.shape) << name;
    for (size_t i = 0; i < parameter.data.size(); ++i) {
      NamedValues shifted = parameters;
      shifted[name].data[i] += eps;
      double up = *interpreter::run(train, inputs, shifted).loss;
      shifted[name].data[i] -= 2 * eps;
      double down = *interpreter::run(train, inputs, shifted).loss;
      double numeric = (up - down) / (2 * eps);
      double error = std::abs(numeric - gradient.data[i]) / std::max(1.0, std::abs(numeric));
      worst = std::max(worst, error);
      EXPECT_LT(error, 1e-6) << name << "[" << i << "]: autodiff " << gradient.data[i]
                             << ", finite difference " << numeric;
    }
  }
  std::printf("max relative difference between autodiff and finite differences: %.3g\n", worst);
}

TEST(Autodiff, LstmClassifierMatchesFiniteDifferences) {
  Model model("lstm_classifier");
  Tensor images = model.input("images", {4, 2, 3});
  Tensor labels = model.integer_input("labels", {2});
  Tensor logits = Dense(model, "head", 5)(LSTM(model, "lstm", 4)(images));
  model.minimize(sparse_softmax_cross_entropy(logits, labels), Adam{});
  checkGradients(model, 5, 1);
}

TEST(Autodiff, StackedRecurrentSequencesMatchFiniteDifferences) {
  // An RNN's every step feeds an LSTM, whose every step feeds the loss: gradients flow through
  // per-step outputs and through a sequence input of the second scan.
  Model model("stacked");
  Tensor x = model.input("x", {3, 2, 2});
  Tensor states = SimpleRNN(model, "rnn", 3, Returns::Sequence)(x);
  Tensor hs = LSTM(model, "lstm", 2, Returns::Sequence)(states);
  model.minimize(reduce_mean(mul(hs, hs), {0, 1, 2}), Adam{});
  checkGradients(model, 1, 2);
}

TEST(Autodiff, ElementwiseAndReductionRulesMatchFiniteDifferences) {
  Model model("ops");
  Tensor x = model.input("x", {3, 4});
  Tensor w = model.parameter("w", {3, 4}, Initializer::uniform(1));
  Tensor v = model.parameter("v", {4, 3}, Initializer::uniform(1));
  Tensor positive = exp(w);                                  // exp
  Tensor a = sub(mul(x, positive), w);                       // mul, sub
  Tensor b = div(log(positive), add(positive, positive));    // log, div, add
  Tensor p = softmax(add(a, b));                             // softmax
  Tensor q = log_softmax(matmul(a, v, false, false));        // matmul, log_softmax
  Tensor r = matmul(x, a, true, false);                      // transposed lhs
  Tensor s = matmul(v, x, true, true);                       // both transposed
  Tensor u = matmul(transpose(v), transpose(a), false, false); // transpose
  Tensor t = sigmoid(tanh(slice(p, 1, 1, 2)));               // slice, tanh, sigmoid
  Tensor loss = add(add(reduce_sum(mul(t, t), {0, 1}), reduce_mean(q, {0, 1})),
                    add(reduce_mean(mul(r, r), {0, 1}), add(reduce_sum(s, {0, 1}), reduce_mean(u, {0, 1}))));
  model.minimize(loss, Adam{});
  checkGradients(model, 1, 3);
}

TEST(Autodiff, PermutedBatchMajorSequenceMatchesFiniteDifferences) {
  // A batch-major [B, T, F] made time-major for the GRU, and its sequence permuted back: the
  // gradient of a permutation is the inverse permutation.
  Model model("permuted");
  Tensor x = model.input("x", {2, 3, 4});
  Tensor w = model.parameter("w", {2, 3, 4}, Initializer::uniform(1));
  Tensor states = GRU(model, "gru", 3, Returns::Sequence)(transpose(mul(x, w), {1, 0, 2}));
  Tensor rotated = transpose(states, {2, 0, 1});
  model.minimize(reduce_mean(mul(rotated, rotated), {0, 1, 2}), Adam{});
  checkGradients(model, 1, 4);
}

TEST(Autodiff, GruVariantsReluRnnAndBidirectionalMatchFiniteDifferences) {
  Model model("cells");
  Tensor x = model.input("x", {3, 2, 2});
  Tensor h0 = model.input("h0", {2, 3});
  Tensor after = GRU(model, "gru", 3).run(x, {h0}).sequence;
  Tensor cho = GRU(model, "cho", 3, RecurrentOptions{.returns = Returns::Sequence, .reset_after = false})(after);
  Tensor relu = SimpleRNN(model, "relu", 2, RecurrentOptions{.returns = Returns::Sequence,
                                                             .activation = Activation::Relu})(cho);
  Tensor both = Bidirectional<LSTM>(model, "bi", 2, Merge::Concat, {.returns = Returns::Sequence})(relu);
  Tensor summed = Bidirectional<GRU>(model, "bisum", 2, Merge::Sum)(both);
  model.minimize(reduce_sum(mul(summed, summed), {0, 1}), Adam{});
  checkGradients(model, 1, 5);
}

TEST(Autodiff, EmbeddingMaskedLstmDropoutAndSequenceLossMatchFiniteDifferences) {
  // Lengths 3 and 1 of 3 steps: the second example's state must stop after its first step, and
  // the padded positions' tokens and tags must not matter.
  Model model("masked");
  Tensor tokens = model.integer_input("tokens", {3, 2});
  Tensor lengths = model.integer_input("lengths", {2});
  Tensor tags = model.integer_input("tags", {3, 2});
  Tensor embedded = dropout(Embedding(model, "embedding", 4, 3)(tokens), 0.3);
  RecurrentOutputs lstm = LSTM(model, "lstm", 3).run(embedded, {}, lengths);
  Tensor logits = Dense(model, "head", 4)(lstm.sequence);
  Tensor last = Dense(model, "last", 4)(lstm.state[0]);
  Tensor loss = add(sequence_loss(logits, tags, sequence_mask(lengths, 3)),
                    sparse_softmax_cross_entropy(last, slice(reshape(tags, {6}), 0, 0, 2)));
  model.minimize(loss, Adam{});
  checkGradients(model, 4, 6, {{"lengths", {{2}, {3, 1}}}});
}

TEST(Autodiff, LossesAndClippingOpsMatchFiniteDifferences) {
  Model model("losses");
  Tensor targets = model.input("targets", {3, 4});
  Tensor w = model.parameter("w", {3, 4}, Initializer::uniform(1));
  Tensor v = model.parameter("v", {3, 4}, Initializer::uniform(1));
  Tensor positive = add(mul(w, w), model.constant({3, 4}, 0.5f));
  Tensor mixed = add(maximum(w, v), minimum(w, scale(v, 0.5f)));  // maximum, minimum, scale
  Tensor soft = softmax(targets);                                  // soft labels for the one-hot loss
  Tensor loss = add(add(sigmoid_cross_entropy(mixed, sigmoid(targets)), softmax_cross_entropy(relu(w), soft)),
                    reduce_mean(sqrt(positive), {0, 1}));
  model.minimize(loss, Adam{});
  checkGradients(model, 1, 7);
}

TEST(Autodiff, AttentionDecodersMatchFiniteDifferences) {
  // An encoder-decoder as in models/g2p, once per score: the gradients reach the encoder only
  // through the attention memory captured by the decoder's scan. The second source has length 2
  // of 3, so its padded position must get no weight.
  for (AttentionScore score : {AttentionScore::Additive, AttentionScore::Dot, AttentionScore::General}) {
    Model model("attention");
    Tensor source = model.integer_input("source", {3, 2});
    Tensor lengths = model.integer_input("lengths", {2});
    Tensor previous = model.integer_input("previous", {2, 2});
    Tensor target = model.integer_input("target", {2, 2});
    Tensor values = GRU(model, "encoder", 4, Returns::Sequence)(Embedding(model, "letters", 3, 2)(source));
    Attention attention(model, "attention", score, score == AttentionScore::Additive ? 3 : 0);
    AttentionMemory memory = attention.memory(values, lengths);
    GRU decoder(model, "decoder", score == AttentionScore::General ? 3 : 4);
    Tensor start = tanh(Dense(model, "bridge", decoder.units())(reduce_sum(values, {0})));
    std::vector<Tensor> decoded =
        scan(2, {start}, {Embedding(model, "phonemes", 3, 2)(previous)},
             [&](const std::vector<Tensor> &h, const std::vector<Tensor> &x) {
               AttentionOutputs a = attention(memory, h[0]);
               Tensor next = decoder.step({h[0]}, concat({x[0], a.context}, 1))[0];
               return ScanStep{{next}, {concat({next, a.context}, 1)}};
             });
    Tensor logits = Dense(model, "output", 3)(decoded[1]);
    model.minimize(sequence_loss(logits, target, model.constant({2, 2}, 1.0f)), Adam{});
    checkGradients(model, 3, 8, {{"lengths", {{2}, {3, 2}}}});
  }
}

// loom-hoist-sequence-ops and loom-hoist-accumulators rewrite the forward and the backprop scans;
// the interpreter must see the same loss and gradients before and after.
TEST(Autodiff, HoistingKeepsLossAndGradients) {
  Model model("hoisted");
  Tensor x = model.input("x", {4, 2, 3});
  Tensor labels = model.integer_input("labels", {2});
  Tensor hs = SimpleRNN(model, "rnn", 3, Returns::Sequence)(x);
  Tensor logits = Dense(model, "head", 4)(LSTM(model, "lstm", 5)(hs));
  model.minimize(sparse_softmax_cross_entropy(logits, labels), Adam{});
  differentiate(model);
  mlir::OwningOpRef<mlir::ModuleOp> hoisted(model.module().clone());
  mlir::PassManager pm(&model.context());
  pm.addPass(createHoistSequenceOpsPass());
  pm.addPass(createHoistAccumulatorsPass());
  ASSERT_TRUE(mlir::succeeded(pm.run(*hoisted)));
  int carried = 0;
  hoisted->walk([&](ScanOp scan) {
    if (scan.reverse())
      carried += int(scan.carried().size());
  });
  EXPECT_EQ(carried, 3) << "the backprop scans should carry only dh (RNN) and dh, dc (LSTM)";
  int reshapes = 0;
  hoisted->walk([&](ReshapeOp) { ++reshapes; });
  EXPECT_GT(reshapes, 0) << "nothing was hoisted";

  Values values(4);
  NamedValues parameters, inputs;
  fill(model.module().lookupSymbol<mlir::FuncOp>("forward"), values, parameters, inputs, 4);
  auto run = [&](mlir::ModuleOp m) {
    return interpreter::run(m.lookupSymbol<mlir::FuncOp>("train_step"), inputs, parameters);
  };
  interpreter::Result before = run(model.module()), after = run(*hoisted);
  EXPECT_NEAR(*before.loss, *after.loss, 1e-12);
  for (auto &[name, gradient] : before.gradients) {
    for (size_t i = 0; i < gradient.data.size(); ++i)
      EXPECT_NEAR(gradient.data[i], after.gradients.at(name).data[i], 1e-9) << name << "[" << i << "]";
  }
}

TEST(Autodiff, ModelWithoutLossGetsNoTrainStep) {
  Model model("inference_only");
  Tensor x = model.input("x", {2, 3});
  model.output("y", Dense(model, "head", 2)(x));
  differentiate(model);
  EXPECT_FALSE(model.module().lookupSymbol("train_step"));
}

} // namespace
