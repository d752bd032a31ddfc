// Compiled Loom models against PyTorch's float64 goldens (generate_goldens.py): forward outputs
// within 1e-5, gradients within 2e-5, and optimizer trajectories over three steps.
#include "golden_models.h"

#include "loom/runtime/parameter_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace {

constexpr double kForwardTolerance = 1e-5;
constexpr double kGradientTolerance = 2e-5;

/// One golden case read from tests/goldens/data/<name>.json.
class Golden {
public:
  explicit Golden(const std::string &name) {
    std::ifstream file(std::string(LOOM_GOLDENS_DIR) + "/" + name + ".json");
    if (!file)
      throw std::runtime_error("missing golden file for case " + name);
    json_ = nlohmann::json::parse(file);
  }

  std::vector<double> values(const nlohmann::json &tensor) const { return tensor.at("data").get<std::vector<double>>(); }
  std::vector<double> values(const std::string &group, const std::string &name) const {
    return values(json_.at(group).at(name));
  }
  double loss() const { return json_.at("loss").get<double>(); }
  const nlohmann::json &steps() const { return json_.at("steps"); }
  const nlohmann::json &gradients() const { return json_.at("gradients"); }

  /// Copies the input `name` into a model's input buffer.
  template <typename T> void feed(const std::string &name, std::span<T> destination) const {
    std::vector<double> data = values("inputs", name);
    ASSERT_EQ(data.size(), destination.size()) << "input " << name;
    std::copy(data.begin(), data.end(), destination.begin());
  }

  const nlohmann::json &json() const { return json_; }

private:
  nlohmann::json json_;
};

std::string temporaryPath(const std::string &stem) {
  // The process id keeps parallel test processes apart.
  return (std::filesystem::temp_directory_path() / ("loom_golden_" + stem + "." + std::to_string(getpid()) + ".params"))
      .string();
}

/// The model's parameters, read back through its own parameter file.
template <typename M> loom::ParameterSet parametersOf(const M &model) {
  std::string path = temporaryPath(M::kName);
  model.save_parameters(path);
  loom::ParameterSet set = loom::load_parameters(path);
  std::filesystem::remove(path);
  return set;
}

/// Sets every parameter of `model` to `values(name)`, through a parameter file.
template <typename M, typename Values> void setParameters(M &model, Values values) {
  loom::ParameterSet set = parametersOf(model);
  for (loom::NamedTensor &t : set.tensors) {
    std::vector<double> data = values(t.name);
    ASSERT_EQ(data.size(), t.tensor.data.size()) << "parameter " << t.name;
    std::copy(data.begin(), data.end(), t.tensor.data.begin());
  }
  std::string path = temporaryPath(M::kName);
  loom::save_parameters(path, M::kName, set.tensors);
  model.load_parameters(path);
  std::filesystem::remove(path);
}

/// Largest |expected - actual| / max(1, |expected|).
template <typename Actual> double worstDifference(const std::vector<double> &expected, const Actual &actual) {
  EXPECT_EQ(expected.size(), actual.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(expected.size(), size_t(actual.size())); ++i)
    worst = std::max(worst, std::abs(expected[i] - double(actual[i])) / std::max(1.0, std::abs(expected[i])));
  return worst;
}

/// Loads the case's parameters, runs forward and compares the outputs and the loss; then one
/// train_step with SGD at learning rate 1 must move each parameter by exactly its gradient.
template <typename M> void checkForwardAndGradients(const std::string &name, const std::function<void(M &, const Golden &)> &feed,
                                                     const std::vector<std::pair<std::string, std::function<std::span<const float>(M &)>>> &outputs) {
  Golden golden(name);
  auto model = std::make_unique<M>();
  setParameters(*model, [&](const std::string &p) { return golden.values("parameters", p); });
  feed(*model, golden);
  model->forward();
  for (const auto &[output, read] : outputs)
    EXPECT_LE(worstDifference(golden.values("outputs", output), read(*model)), kForwardTolerance) << output;
  EXPECT_NEAR(model->loss(), golden.loss(), kForwardTolerance * std::max(1.0, std::abs(golden.loss())));

  loom::ParameterSet before = parametersOf(*model);
  model->train_step();
  loom::ParameterSet after = parametersOf(*model);
  for (const loom::NamedTensor &t : before.tensors) {
    const loom::AlignedFloats &was = t.tensor.data, &now = after.get(t.name).data;
    std::vector<double> moved(was.size());
    for (size_t i = 0; i < was.size(); ++i)
      moved[i] = double(was[i]) - double(now[i]);
    EXPECT_LE(worstDifference(golden.values(golden.gradients().at(t.name)), moved), kGradientTolerance)
        << "gradient of " << t.name;
  }
}

/// Three train_steps from the case's parameters: the loss before each and the parameters after it.
template <typename M> void checkOptimizer(const std::string &name) {
  Golden golden(name);
  auto model = std::make_unique<M>();
  setParameters(*model, [&](const std::string &p) { return golden.values("parameters", p); });
  golden.feed("x", model->x());
  golden.feed("labels", model->labels());
  int step = 1;
  for (const nlohmann::json &expected : golden.steps()) {
    double loss = model->train_step();
    EXPECT_NEAR(loss, expected.at("loss").get<double>(), kForwardTolerance) << "step " << step;
    loom::ParameterSet now = parametersOf(*model);
    for (const loom::NamedTensor &t : now.tensors)
      EXPECT_LE(worstDifference(golden.values(expected.at("parameters").at(t.name)), t.tensor.data), kForwardTolerance)
          << t.name << " after step " << step;
    ++step;
  }
}

using namespace loom::models;

template <typename M> std::span<const float> sequence(M &m) { return m.sequence(); }
template <typename M> std::span<const float> finalH(M &m) { return m.final_h(); }

template <typename M> void feedRecurrent(M &m, const Golden &g) {
  g.feed("x", m.x());
  g.feed("probe_sequence", m.probe_sequence());
  if constexpr (requires { m.h0(); }) {
    g.feed("h0", m.h0());
    g.feed("probe_h", m.probe_h());
  }
  if constexpr (requires { m.c0(); }) {
    g.feed("c0", m.c0());
    g.feed("probe_c", m.probe_c());
  }
}

/// A single layer from a given initial state: its sequence and final state(s).
template <typename M> void checkRecurrent(const std::string &name) {
  std::vector<std::pair<std::string, std::function<std::span<const float>(M &)>>> outputs{
      {"sequence", sequence<M>}, {"final_h", finalH<M>}};
  if constexpr (requires(M &m) { m.final_c(); })
    outputs.push_back({"final_c", [](M &m) { return m.final_c(); }});
  checkForwardAndGradients<M>(name, feedRecurrent<M>, outputs);
}

TEST(Goldens, RnnTanh) { checkRecurrent<golden_rnn_tanh>("rnn_tanh"); }
TEST(Goldens, RnnRelu) { checkRecurrent<golden_rnn_relu>("rnn_relu"); }
TEST(Goldens, Lstm) { checkRecurrent<golden_lstm>("lstm"); }
TEST(Goldens, LstmGoingBackwards) { checkRecurrent<golden_lstm_reverse>("lstm_reverse"); }
TEST(Goldens, GruResetAfter) { checkRecurrent<golden_gru>("gru"); }
TEST(Goldens, GruCho) { checkRecurrent<golden_gru_cho>("gru_cho"); }

TEST(Goldens, BidirectionalLstmConcat) {
  checkForwardAndGradients<golden_bilstm_concat>("bilstm_concat", feedRecurrent<golden_bilstm_concat>,
                                                 {{"sequence", sequence<golden_bilstm_concat>}});
}

TEST(Goldens, BidirectionalGruSum) {
  checkForwardAndGradients<golden_bigru_sum>("bigru_sum", feedRecurrent<golden_bigru_sum>,
                                             {{"sequence", sequence<golden_bigru_sum>}});
}

TEST(Goldens, StackedLstm) {
  checkForwardAndGradients<golden_stacked_lstm>(
      "stacked_lstm",
      [](golden_stacked_lstm &m, const Golden &g) {
        g.feed("x", m.x());
        g.feed("probe_sequence", m.probe_sequence());
        g.feed("probe_h", m.probe_h());
      },
      {{"sequence", sequence<golden_stacked_lstm>}, {"final_h", finalH<golden_stacked_lstm>}});
}

TEST(Goldens, MaskedEmbeddingLstm) {
  checkForwardAndGradients<golden_masked_embedding_lstm>(
      "masked_embedding_lstm",
      [](golden_masked_embedding_lstm &m, const Golden &g) {
        g.feed("tokens", m.tokens());
        g.feed("lengths", m.lengths());
        g.feed("labels", m.labels());
      },
      {{"logits", [](golden_masked_embedding_lstm &m) { return m.logits(); }},
       {"sequence", sequence<golden_masked_embedding_lstm>}});
}

TEST(Goldens, SoftmaxCrossEntropyWithOneHotLabels) {
  checkForwardAndGradients<golden_loss_softmax_onehot>(
      "loss_softmax_onehot", [](golden_loss_softmax_onehot &m, const Golden &g) { g.feed("labels", m.labels()); }, {});
}

TEST(Goldens, SparseSoftmaxCrossEntropy) {
  checkForwardAndGradients<golden_loss_sparse>(
      "loss_sparse", [](golden_loss_sparse &m, const Golden &g) { g.feed("labels", m.labels()); }, {});
}

TEST(Goldens, SequenceLossWithWeights) {
  checkForwardAndGradients<golden_loss_sequence>(
      "loss_sequence",
      [](golden_loss_sequence &m, const Golden &g) {
        g.feed("labels", m.labels());
        g.feed("weights", m.weights());
      },
      {});
}

TEST(Goldens, SigmoidCrossEntropy) {
  checkForwardAndGradients<golden_loss_sigmoid_bce>(
      "loss_sigmoid_bce", [](golden_loss_sigmoid_bce &m, const Golden &g) { g.feed("targets", m.targets()); }, {});
}

TEST(Goldens, Sgd) { checkOptimizer<golden_sgd>("sgd"); }
TEST(Goldens, SgdMomentum) { checkOptimizer<golden_sgd_momentum>("sgd_momentum"); }
TEST(Goldens, SgdMomentumKeras) { checkOptimizer<golden_sgd_momentum_keras>("sgd_momentum_keras"); }
TEST(Goldens, Adam) { checkOptimizer<golden_adam>("adam"); }
TEST(Goldens, AdamKeras) { checkOptimizer<golden_adam_keras>("adam_keras"); }
TEST(Goldens, Rmsprop) { checkOptimizer<golden_rmsprop>("rmsprop"); }
TEST(Goldens, RmspropKeras) { checkOptimizer<golden_rmsprop_keras>("rmsprop_keras"); }
TEST(Goldens, AdamWithGlobalNormClipping) { checkOptimizer<golden_adam_clipped>("adam_clipped"); }
TEST(Goldens, SgdWithGlobalNormClipping) { checkOptimizer<golden_sgd_clipped>("sgd_clipped"); }
TEST(Goldens, SgdWithKerasGlobalNormClipping) { checkOptimizer<golden_sgd_clipped_keras>("sgd_clipped_keras"); }

} // namespace

template <typename M> void checkAttention(const std::string &name) {
  checkForwardAndGradients<M>(
      name,
      [](M &m, const Golden &g) {
        g.feed("source", m.source());
        g.feed("source_lengths", m.source_lengths());
        g.feed("previous", m.previous());
        g.feed("target", m.target());
        g.feed("target_lengths", m.target_lengths());
      },
      {{"logits", [](M &m) { return m.logits(); }}, {"attention", [](M &m) { return m.attention(); }}});
}

TEST(Goldens, BahdanauAttentionDecoder) { checkAttention<golden_attention_additive>("attention_additive"); }
TEST(Goldens, LuongDotAttentionDecoder) { checkAttention<golden_attention_dot>("attention_dot"); }
TEST(Goldens, LuongGeneralAttentionDecoder) { checkAttention<golden_attention_general>("attention_general"); }
