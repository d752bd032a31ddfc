// PyTorch models' weights, written by tools/loom_pytorch.py, loaded into the Loom models of
// models.cpp: the generated libraries must reproduce PyTorch's outputs (make_reference.py) within
// 1e-5. The exporter's refusals are checked by their messages.
#include "pytorch_classifier.h"
#include "pytorch_rnn.h"
#include "pytorch_tagger.h"

#include "loom/testing/json_tensors.h"
#include "loom/testing/programs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <span>
#include <string>

namespace {

using ::testing::HasSubstr;

const std::string kDirectory = LOOM_PYTORCH_REFERENCE_DIR;

/// Loads the exported weights into a `Model`, fills its one input as PyTorch's was, runs forward()
/// and compares `output` with PyTorch's. The reference's key and the parameter file are the model's name.
template <typename Model, typename Input, typename Output>
void expectMatchesPyTorch(std::span<Input> (Model::*input)(), std::span<const Output> (Model::*output)() const) {
  const nlohmann::json &ref =
      loom::testing::json_file(kDirectory + "/reference.json", "the test pytorch.MakeReference").at(Model::kName);
  ASSERT_EQ(ref["inputs"].size(), 1u);
  Model model;
  model.load_parameters(kDirectory + "/" + Model::kName + ".params");
  loom::testing::fill_from_json((model.*input)(), ref["inputs"].begin().value());
  model.forward();
  EXPECT_LE(loom::testing::max_difference((model.*output)(), ref["expected"]), 1e-5)
      << "largest difference from PyTorch's output";
}

TEST(PytorchImport, EmbeddingStackedLstmAndLinearMatchPyTorch) {
  using loom::models::pytorch_tagger;
  expectMatchesPyTorch(&pytorch_tagger::tokens, &pytorch_tagger::logits);
}

TEST(PytorchImport, BidirectionalGruFinalStatesAndLinearMatchPyTorch) {
  using loom::models::pytorch_classifier;
  expectMatchesPyTorch(&pytorch_classifier::x, &pytorch_classifier::logits);
}

TEST(PytorchImport, RnnWithoutBiasGetsZeroBiasesAndMatchesPyTorch) {
  using loom::models::pytorch_rnn;
  expectMatchesPyTorch(&pytorch_rnn::x, &pytorch_rnn::states);
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
std::pair<int, std::string> exportCommand(const std::string &state_dict, const std::string &options = "") {
  auto run = loom::testing::run_program("/usr/bin/python3 " + std::string(LOOM_PYTORCH_EXPORTER) + " " + kDirectory +
                                        "/" + state_dict + " " + kDirectory + "/refused.params --model-name refused " +
                                        options);
  return {run.status, run.output};
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

TEST(PytorchExporter, RefusesARenameWithoutEqualsSign) {
  auto [status, output] = exportCommand("pytorch_rnn.pt", "--rename rnn");
  EXPECT_EQ(status, 2);
  EXPECT_THAT(output, HasSubstr("--rename takes OLD=NEW, got 'rnn'"));
}

} // namespace
