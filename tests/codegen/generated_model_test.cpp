// Runs the generated libraries of the tiny models and the interpreter on the same IR and inputs:
// compiled forward outputs, losses and Adam-updated parameters must match the float64 oracle.
#include "dropout_tagger.h"
#include "lstm_classifier.h"
#include "rnn_tagger.h"

#include "Passes.h"
#include "loom/dsl/Driver.h"
#include "loom/interpreter/Interpreter.h"
#include "loom/runtime/errors.h"
#include "loom/runtime/parameter_file.h"

#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <unistd.h>

namespace {

using loom::interpreter::NamedValues;

/// The registered definition of `name`, recorded and run through Loom's pipeline.
std::unique_ptr<loom::dsl::Model> compiled(const std::string &name) {
  for (const auto &registered : loom::dsl::registered_models()) {
    if (registered.name != name)
      continue;
    auto model = std::make_unique<loom::dsl::Model>(name);
    registered.define(*model);
    mlir::PassManager pm(&model->context());
    loom::buildPipeline(pm);
    EXPECT_TRUE(mlir::succeeded(pm.run(model->module())));
    return model;
  }
  ADD_FAILURE() << "no model " << name;
  return nullptr;
}

/// A file name in the temp folder that no other test process uses (ctest runs tests in parallel).
std::string temporaryPath(const std::string &name) {
  return (std::filesystem::temp_directory_path() / (name + "." + std::to_string(getpid()))).string();
}

/// The generated model's parameters, read back through its own parameter file.
template <typename M> NamedValues parametersOf(const M &model) {
  std::string path = temporaryPath("loom_codegen_test.params");
  model.save_parameters(path);
  NamedValues values;
  for (const loom::NamedTensor &t : loom::load_parameters(path).tensors)
    values[t.name] = {t.tensor.shape, {t.tensor.data.begin(), t.tensor.data.end()}};
  std::filesystem::remove(path);
  return values;
}

template <typename T> loom::interpreter::Value valueOf(std::span<const T> data, std::vector<int64_t> shape) {
  return {std::move(shape), {data.begin(), data.end()}};
}

double maxDifference(const std::vector<double> &expected, std::span<const float> actual) {
  double worst = 0;
  for (size_t i = 0; i < expected.size(); ++i)
    worst = std::max(worst, std::abs(expected[i] - double(actual[i])) / std::max(1.0, std::abs(expected[i])));
  return worst;
}

TEST(GeneratedModel, LstmClassifierForwardAndTrainStepMatchTheInterpreter) {
  auto ir = compiled("lstm_classifier");
  auto forward = ir->module().lookupSymbol<mlir::FuncOp>("forward");
  auto train = ir->module().lookupSymbol<mlir::FuncOp>("train_step");

  loom::models::lstm_classifier model(7);
  for (size_t i = 0; i < model.images().size(); ++i)
    model.images()[i] = float(std::sin(0.7 * double(i)));
  model.labels()[0] = 3;
  model.labels()[1] = 8;
  NamedValues inputs{{"images", valueOf<float>(model.images(), {5, 2, 3})},
                     {"labels", valueOf<int32_t>(model.labels(), {2})}};

  NamedValues parameters = parametersOf(model);
  model.forward();
  loom::interpreter::Result expected = loom::interpreter::run(forward, inputs, parameters);
  double logits = maxDifference(expected.outputs.at("logits").data, model.logits());
  std::printf("forward: max difference of logits %.3g, loss %.3g\n", logits,
              std::abs(*expected.loss - model.loss()));
  EXPECT_LT(logits, 1e-5);
  EXPECT_NEAR(model.loss(), *expected.loss, 1e-5);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(model.class_()[i], int32_t(expected.outputs.at("class").data[i]));

  loom::interpreter::OptimizerState adam;
  for (int step = 1; step <= 3; ++step) {
    loom::interpreter::Result reference = loom::interpreter::run(train, inputs, parameters, &adam);
    float loss = model.train_step();
    EXPECT_NEAR(loss, *reference.loss, 1e-5) << "step " << step;
    NamedValues updated = parametersOf(model);
    double worst = 0;
    for (auto &[name, value] : reference.parameters) {
      std::vector<float> actual(updated.at(name).data.begin(), updated.at(name).data.end());
      worst = std::max(worst, maxDifference(value.data, actual));
    }
    std::printf("train_step %d: loss %.6f (interpreter %.6f), max parameter difference %.3g\n", step,
                loss, *reference.loss, worst);
    EXPECT_LT(worst, 2e-5) << "step " << step;
    parameters = reference.parameters;
  }
  EXPECT_EQ(model.steps(), 3);
}

TEST(GeneratedModel, RnnSequenceOutputsMatchTheInterpreter) {
  auto ir = compiled("rnn_tagger");
  auto forward = ir->module().lookupSymbol<mlir::FuncOp>("forward");
  loom::models::rnn_tagger model(3);
  for (size_t i = 0; i < model.words().size(); ++i)
    model.words()[i] = float(i % 3) - 1.0f;
  model.forward();
  loom::interpreter::Result expected = loom::interpreter::run(
      forward, {{"words", valueOf<float>(model.words(), {3, 1, 4})}}, parametersOf(model));
  double worst = maxDifference(expected.outputs.at("states").data, model.states());
  std::printf("rnn states: max difference %.3g\n", worst);
  EXPECT_LT(worst, 1e-5);
}

/// Dropout draws its masks from the model's random state [seed, step]: the interpreter, fed the same
/// state, must drop the same entries at every step.
TEST(GeneratedModel, DropoutMaskedGruAndRmspropMatchTheInterpreter) {
  auto ir = compiled("dropout_tagger");
  auto forward = ir->module().lookupSymbol<mlir::FuncOp>("forward");
  auto train = ir->module().lookupSymbol<mlir::FuncOp>("train_step");
  const uint64_t seed = 5;
  loom::models::dropout_tagger model(seed);
  for (size_t i = 0; i < model.tokens().size(); ++i) {
    model.tokens()[i] = int32_t((i * 5 + 1) % 7);
    model.tags()[i] = int32_t(i % 4);
  }
  const int32_t lengths[] = {4, 2, 3};
  std::copy(std::begin(lengths), std::end(lengths), model.lengths().begin());
  NamedValues inputs{{"tokens", valueOf<int32_t>(model.tokens(), {4, 3})},
                     {"lengths", valueOf<int32_t>(model.lengths(), {3})},
                     {"tags", valueOf<int32_t>(model.tags(), {4, 3})}};
  NamedValues parameters = parametersOf(model);

  // forward() is inference: no dropout, so no random state is read.
  model.forward();
  loom::interpreter::Result expected = loom::interpreter::run(forward, inputs, parameters);
  EXPECT_LT(maxDifference(expected.outputs.at("logits").data, model.logits()), 1e-5);
  EXPECT_NEAR(model.loss(), *expected.loss, 1e-5);
  const float inferenceLoss = model.loss();

  loom::interpreter::OptimizerState state;
  std::vector<float> losses;
  for (int step = 1; step <= 3; ++step) {
    inputs["random_state"] = {{2}, {double(seed), double(step)}};
    loom::interpreter::Result reference = loom::interpreter::run(train, inputs, parameters, &state);
    float loss = model.train_step();
    losses.push_back(loss);
    EXPECT_NEAR(loss, *reference.loss, 1e-5) << "step " << step;
    NamedValues updated = parametersOf(model);
    for (auto &[name, value] : reference.parameters) {
      std::vector<float> actual(updated.at(name).data.begin(), updated.at(name).data.end());
      EXPECT_LT(maxDifference(value.data, actual), 2e-5) << name << " after step " << step;
    }
    parameters = reference.parameters;
  }
  // The first step's loss is taken before its update, from the same parameters as forward()'s, so
  // only dropout makes them differ.
  EXPECT_GT(std::abs(losses[0] - inferenceLoss), 1e-3);
}

/// Resuming from a checkpoint (parameters, RMSprop state, step count, random seed) continues
/// bit for bit: dropout draws the same masks and the optimizer the same updates.
TEST(GeneratedModel, ResumingFromACheckpointContinuesBitForBit) {
  auto feed = [](loom::models::dropout_tagger &model) {
    for (size_t i = 0; i < model.tokens().size(); ++i) {
      model.tokens()[i] = int32_t((i * 3 + 2) % 7);
      model.tags()[i] = int32_t((i + 1) % 4);
    }
    std::fill(model.lengths().begin(), model.lengths().end(), 3);
  };
  std::string path = temporaryPath("loom_codegen_resume.checkpoint");
  loom::models::dropout_tagger straight(21), resumed(99);
  feed(straight);
  feed(resumed);
  straight.train_step();
  straight.train_step();
  straight.save_checkpoint(path);
  NamedValues atCheckpoint = parametersOf(straight);
  std::vector<float> losses;
  for (int i = 0; i < 3; ++i)
    losses.push_back(straight.train_step());

  resumed.load_checkpoint(path);
  EXPECT_EQ(resumed.steps(), 2);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(resumed.train_step(), losses[size_t(i)]) << "step " << i + 3;
  for (auto &[name, value] : parametersOf(straight))
    EXPECT_EQ(value.data, parametersOf(resumed).at(name).data) << name;

  // A checkpoint is also a parameter file for inference.
  loom::models::dropout_tagger inference(1);
  inference.load_parameters(path);
  for (auto &[name, value] : parametersOf(inference))
    EXPECT_EQ(value.data, atCheckpoint.at(name).data) << name;
  std::filesystem::remove(path);
}

/// forward() packs the parameters' panels once and reuses them until the parameters change: after a
/// train_step, initialize_parameters and load_parameters it must compute with the new parameters.
TEST(GeneratedModel, ForwardFollowsEveryChangeOfTheParameters) {
  auto ir = compiled("lstm_classifier");
  auto forward = ir->module().lookupSymbol<mlir::FuncOp>("forward");
  loom::models::lstm_classifier model(7), other(8);
  for (loom::models::lstm_classifier *m : {&model, &other}) {
    for (size_t i = 0; i < m->images().size(); ++i)
      m->images()[i] = float(std::cos(0.3 * double(i)));
    m->labels()[0] = 1;
    m->labels()[1] = 6;
  }
  NamedValues inputs{{"images", valueOf<float>(model.images(), {5, 2, 3})},
                     {"labels", valueOf<int32_t>(model.labels(), {2})}};
  auto expectForwardMatchesItsParameters = [&](const std::string &after) {
    model.forward();
    loom::interpreter::Result expected = loom::interpreter::run(forward, inputs, parametersOf(model));
    EXPECT_LT(maxDifference(expected.outputs.at("logits").data, model.logits()), 1e-5) << "after " << after;
  };
  expectForwardMatchesItsParameters("construction");
  model.train_step();
  expectForwardMatchesItsParameters("train_step");
  model.initialize_parameters(9);
  expectForwardMatchesItsParameters("initialize_parameters");
  std::string path = temporaryPath("loom_codegen_packed.params");
  other.save_parameters(path);
  model.load_parameters(path);
  std::filesystem::remove(path);
  expectForwardMatchesItsParameters("load_parameters");
  other.forward();
  for (size_t i = 0; i < other.logits().size(); ++i)
    EXPECT_EQ(model.logits()[i], other.logits()[i]);
}

TEST(GeneratedModel, SameSeedSameParametersOtherSeedOthers) {
  loom::models::lstm_classifier a(11), b(11), c(12);
  EXPECT_EQ(parametersOf(a).at("lstm.weight_hh").data, parametersOf(b).at("lstm.weight_hh").data);
  EXPECT_NE(parametersOf(a).at("lstm.weight_hh").data, parametersOf(c).at("lstm.weight_hh").data);
}

TEST(GeneratedModel, LoadRefusesAnotherModelsParameters) {
  loom::models::lstm_classifier classifier(1);
  loom::models::rnn_tagger tagger(1);
  std::string path = temporaryPath("loom_codegen_other.params");
  tagger.save_parameters(path);
  try {
    classifier.load_parameters(path);
    ADD_FAILURE() << "loaded another model's parameters";
  } catch (const loom::Error &error) {
    EXPECT_NE(std::string(error.what()).find("rnn_tagger"), std::string::npos) << error.what();
  }
  std::filesystem::remove(path);
}

} // namespace
