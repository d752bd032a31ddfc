// PyTorch models' weights, written by tools/loom_pytorch.py, loaded into the Loom models of
// models.cpp: the generated libraries must reproduce PyTorch's outputs (make_reference.py) within
// 1e-5. The exporter's refusals are checked by their messages.
#include "pytorch_classifier.h"
#include "pytorch_rnn.h"
#include "pytorch_tagger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <span>
#include <string>

namespace {

using ::testing::HasSubstr;

const std::string kDirectory = LOOM_PYTORCH_REFERENCE_DIR;

const nlohmann::json &reference(const std::string &model) {
  static const nlohmann::json all = [] {
    std::ifstream file(kDirectory + "/reference.json");
    if (!file)
      throw std::runtime_error("no " + kDirectory + "/reference.json: the test pytorch.MakeReference writes it");
    return nlohmann::json::parse(file);
  }();
  return all.at(model);
}

template <typename T> void fill(std::span<T> destination, const nlohmann::json &values) {
  ASSERT_EQ(destination.size(), values.size());
  for (size_t i = 0; i < destination.size(); ++i)
    destination[i] = T(values[i].get<double>());
}

void expectNear(std::span<const float> actual, const nlohmann::json &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i)
    worst = std::max(worst, std::abs(double(actual[i]) - expected[i].get<double>()));
  EXPECT_LE(worst, 1e-5) << "largest difference from PyTorch's output";
}

TEST(PytorchImport, EmbeddingStackedLstmAndLinearMatchPyTorch) {
  const nlohmann::json &ref = reference("pytorch_tagger");
  loom::models::pytorch_tagger model;
  model.load_parameters(kDirectory + "/pytorch_tagger.params");
  fill(model.tokens(), ref["inputs"]["tokens"]);
  model.forward();
  expectNear(model.logits(), ref["expected"]);
}

TEST(PytorchImport, BidirectionalGruFinalStatesAndLinearMatchPyTorch) {
  const nlohmann::json &ref = reference("pytorch_classifier");
  loom::models::pytorch_classifier model;
  model.load_parameters(kDirectory + "/pytorch_classifier.params");
  fill(model.x(), ref["inputs"]["x"]);
  model.forward();
  expectNear(model.logits(), ref["expected"]);
}

TEST(PytorchImport, RnnWithoutBiasGetsZeroBiasesAndMatchesPyTorch) {
  const nlohmann::json &ref = reference("pytorch_rnn");
  loom::models::pytorch_rnn model;
  model.load_parameters(kDirectory + "/pytorch_rnn.params");
  fill(model.x(), ref["inputs"]["x"]);
  model.forward();
  expectNear(model.states(), ref["expected"]);
}

TEST(PytorchImport, WeightsOfAnotherModelAreRefused) {
  loom::models::pytorch_classifier model;
  try {
    model.load_parameters(kDirectory + "/pytorch_rnn.params");
    FAIL() << "loaded another model's parameters";
  } catch (const std::exception &error) {
    EXPECT_THAT(error.what(), HasSubstr("pytorch_rnn"));
  }
}

/// Runs the exporter's command line on `state_dict`; returns its exit status and what it printed.
std::pair<int, std::string> exportCommand(const std::string &state_dict) {
  const std::string command = "/usr/bin/python3 " + std::string(LOOM_PYTORCH_EXPORTER) + " " + kDirectory + "/" +
                              state_dict + " " + kDirectory + "/refused.params --model-name refused 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(PytorchExporter, RefusesStackedBidirectionalLayers) {
  auto [status, output] = exportCommand("stacked_bidirectional.pt");
  EXPECT_EQ(status, 1);
  EXPECT_THAT(output, HasSubstr("is a stacked bidirectional layer (2 layers): Loom stacks one direction (Stacked) "
                                "or has one bidirectional layer (Bidirectional)"));
}

TEST(PytorchExporter, RefusesLstmProjections) {
  auto [status, output] = exportCommand("projection.pt");
  EXPECT_EQ(status, 1);
  EXPECT_THAT(output, HasSubstr("'weight_hr_l0': LSTM projections (proj_size) have no Loom equivalent"));
}

TEST(PytorchExporter, RefusesAFileThatIsNoStateDict) {
  auto [status, output] = exportCommand("not_a_state_dict.pt");
  EXPECT_EQ(status, 1);
  EXPECT_THAT(output, HasSubstr("holds a list, not a state_dict; save one with torch.save(model.state_dict(), path)"));
}

TEST(PytorchExporter, RefusesAMissingFile) {
  auto [status, output] = exportCommand("missing.pt");
  EXPECT_EQ(status, 1);
  EXPECT_THAT(output, HasSubstr("cannot read"));
  EXPECT_THAT(output, HasSubstr("missing.pt"));
}

} // namespace
