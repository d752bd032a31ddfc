// ONNX models imported by loomc (loom_add_model(... ONNX ...)): the generated libraries, with the
// weights loomc wrote, must compute what PyTorch computed before torch.onnx.export, and what the
// ONNX specification says for the recurrent options PyTorch never exports (make_models.py), within
// 1e-5. What the importer refuses is checked by its messages.
#include "onnx_classifier.h"
#include "onnx_gru_lengths.h"
#include "onnx_lstm_layout.h"
#include "onnx_relu.h"
#include "onnx_tagger.h"

#include "OnnxImport.h"
#include "loom/testing/json_tensors.h"
#include "loom/testing/programs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <span>
#include <string>

namespace {

using ::testing::HasSubstr;

const std::string kModels = LOOM_ONNX_MODELS_DIR;

const nlohmann::json &reference(const std::string &model) {
  static const nlohmann::json all =
      loom::testing::read_json_file(kModels + "/reference.json", "make_models.py (target onnx_test_models)");
  return all.at(model);
}

/// One forward pass of an imported model: its weights from the file loomc wrote, its inputs as the
/// reference's, and each output's largest difference from the reference's.
template <typename Model> class Imported {
public:
  explicit Imported(const std::string &parameters) : reference_(reference(Model::kName)) {
    model_.load_parameters(parameters);
  }
  template <typename T> Imported &input(std::span<T> (Model::*accessor)(), const std::string &onnxName) {
    loom::testing::fill_from_json((model_.*accessor)(), reference_.at("inputs").at(onnxName));
    return *this;
  }
  Imported &forward() {
    model_.forward();
    return *this;
  }
  double difference(std::span<const float> (Model::*accessor)() const, const std::string &onnxName) const {
    return loom::testing::max_difference((model_.*accessor)(), reference_.at("outputs").at(onnxName));
  }

private:
  const nlohmann::json &reference_;
  Model model_;
};

TEST(OnnxImport, EmbeddingStackedLstmLinearAndSoftmaxExportedByPyTorchMatchIt) {
  using loom::models::onnx_tagger;
  Imported<onnx_tagger> run(LOOM_PARAMETERS_onnx_tagger);
  run.input(&onnx_tagger::ids, "ids").forward();
  EXPECT_LE(run.difference(&onnx_tagger::probs, "probs"), 1e-5);
  EXPECT_LE(run.difference(&onnx_tagger::h_n, "h_n"), 1e-5);
}

TEST(OnnxImport, BatchFirstBidirectionalGruWithADynamicBatchFixedBySHAPESMatchesPyTorch) {
  using loom::models::onnx_classifier;
  static_assert(onnx_classifier::x_shape[0] == 2, "SHAPES x=2x9x4 fixes the batch");
  Imported<onnx_classifier> run(LOOM_PARAMETERS_onnx_classifier);
  run.input(&onnx_classifier::x, "x").forward();
  EXPECT_LE(run.difference(&onnx_classifier::log_probs, "log_probs"), 1e-5);
}

TEST(OnnxImport, ReluRnnWithoutBiasesFromAGivenInitialStateMatchesPyTorch) {
  using loom::models::onnx_relu;
  Imported<onnx_relu> run(LOOM_PARAMETERS_onnx_relu);
  run.input(&onnx_relu::x, "x").input(&onnx_relu::h0, "h0").forward();
  EXPECT_LE(run.difference(&onnx_relu::y, "y"), 1e-5);
  EXPECT_LE(run.difference(&onnx_relu::h_n, "h_n"), 1e-5);
}

TEST(OnnxImport, ReverseGruWithoutLinearBeforeResetWithLengthsAndInitialStateFollowsTheSpecification) {
  using loom::models::onnx_gru_lengths;
  Imported<onnx_gru_lengths> run(LOOM_PARAMETERS_onnx_gru_lengths);
  run.input(&onnx_gru_lengths::X, "X").input(&onnx_gru_lengths::lengths, "lengths").input(&onnx_gru_lengths::h0, "h0");
  run.forward();
  EXPECT_LE(run.difference(&onnx_gru_lengths::Y, "Y"), 1e-5);
  EXPECT_LE(run.difference(&onnx_gru_lengths::Y_h, "Y_h"), 1e-5);
}

TEST(OnnxImport, BatchMajorBidirectionalLstmWithLengthsFollowsTheSpecification) {
  using loom::models::onnx_lstm_layout;
  Imported<onnx_lstm_layout> run(LOOM_PARAMETERS_onnx_lstm_layout);
  run.input(&onnx_lstm_layout::X, "X").input(&onnx_lstm_layout::lengths, "lengths").forward();
  EXPECT_LE(run.difference(&onnx_lstm_layout::Y, "Y"), 1e-5);
  EXPECT_LE(run.difference(&onnx_lstm_layout::Y_h, "Y_h"), 1e-5);
  EXPECT_LE(run.difference(&onnx_lstm_layout::Y_c, "Y_c"), 1e-5);
}

TEST(OnnxImport, TheWeightFileBelongsToTheModelAndHoldsLoomsLayers) {
  loom::ParameterSet weights = loom::load_parameters(LOOM_PARAMETERS_onnx_lstm_layout);
  EXPECT_EQ(weights.model_name, "onnx_lstm_layout");
  // One Loom layer per direction, its gates reordered from ONNX's i,o,f,c to i,f,g,o.
  ASSERT_NE(weights.find("lstm_node.backward.weight_ih"), nullptr);
  EXPECT_EQ(weights.get("lstm_node.forward.weight_hh").shape, (std::vector<int64_t>{16, 4}));
  EXPECT_EQ(weights.get("lstm_node.backward.bias_hh").shape, (std::vector<int64_t>{16}));
}

//===----------------------------------------------------------------------===//
// Refusals
//===----------------------------------------------------------------------===//

/// The OnnxError that importing `file` (under the models' errors/ folder) throws.
std::string importError(const std::string &file, const loom::importer::OnnxOptions &options = {}) {
  loom::dsl::Model model("refused");
  try {
    loom::importer::import_onnx(kModels + "/errors/" + file, model, options);
  } catch (const loom::importer::OnnxError &error) {
    return error.what();
  }
  return "(imported without an error)";
}

TEST(OnnxImportErrors, AnUnsupportedOperatorIsNamedWithItsNode) {
  EXPECT_THAT(importError("unsupported.onnx"), HasSubstr("unsupported ONNX operator 'Erf' (node 'erf1'); Loom imports RNN, LSTM, GRU"));
}

TEST(OnnxImportErrors, AnInputWithDynamicSizesAsksForItsShape) {
  EXPECT_THAT(importError("dynamic.onnx"),
              HasSubstr("input 'x' has shape [batch, 3] with sizes fixed only at run time; Loom compiles static "
                        "shapes: give them with --shape x=D0xD1..."));
}

TEST(OnnxImportErrors, AShapeForAnInputTheModelDoesNotHaveIsRefused) {
  EXPECT_THAT(importError("dynamic.onnx", {.input_shapes = {{"y", {2, 3}}}}),
              HasSubstr("--shape names 'y', which is not an input of the model"));
}

TEST(OnnxImportErrors, AGivenShapeOfAnotherRankIsRefused) {
  EXPECT_THAT(importError("dynamic.onnx", {.input_shapes = {{"x", {2, 3, 4}}}}),
              HasSubstr("input 'x' has rank 2 but --shape gives [2, 3, 4]"));
}

TEST(OnnxImportErrors, BatchedMatMulOfTwoTensorsIsRefusedWithTheShapes) {
  EXPECT_THAT(importError("batched_matmul.onnx"),
              HasSubstr("node 'bmm' (MatMul): multiplies [2, 3, 4] by [2, 4, 5]; Loom imports [..., M, K] times a matrix [K, N]"));
}

TEST(OnnxImportErrors, SoftmaxOverAnAxisOtherThanTheLastIsRefused) {
  EXPECT_THAT(importError("softmax_axis.onnx"),
              HasSubstr("node 'softmax0' (Softmax): normalizes axis 0 of [2, 3]; Loom's Softmax is over the last axis"));
}

TEST(OnnxImportErrors, LstmCellClippingIsRefused) {
  EXPECT_THAT(importError("clip.onnx"), HasSubstr("node 'clipped' (LSTM): the 'clip' attribute (cell clipping) is not supported"));
}

TEST(OnnxImportErrors, LstmPeepholesAreRefused) {
  EXPECT_THAT(importError("peephole.onnx"), HasSubstr("node 'peephole' (LSTM): peephole connections (input P) are not supported"));
}

TEST(OnnxImportErrors, WeightsThatDoNotFitTheHiddenSizeAreRefusedWithBothShapes) {
  EXPECT_THAT(importError("wrong_width.onnx"),
              HasSubstr("node 'wrong_width' (LSTM): W has shape [1, 8, 3], expected [1, 12, 3] for X [4, 1, 3]"));
}

TEST(OnnxImportErrors, ExternalTensorDataIsRefusedWithWhatToDo) {
  EXPECT_THAT(importError("external.onnx"),
              HasSubstr("initializer 'k' keeps its data in an external file, which Loom does not read; save the model "
                        "with its tensors inside"));
}

TEST(OnnxImportErrors, AFileThatIsNotOnnxIsRefused) {
  EXPECT_THAT(importError("garbage.onnx"), HasSubstr("garbage.onnx' is not an ONNX model"));
}

TEST(OnnxImportErrors, AMissingFileIsNamed) {
  EXPECT_THAT(importError("missing.onnx"), HasSubstr("cannot open '" + kModels + "/errors/missing.onnx': No such file or directory"));
}

//===----------------------------------------------------------------------===//
// loomc's ONNX options
//===----------------------------------------------------------------------===//

loom::testing::ProgramRun loomc(const std::string &arguments) {
  return loom::testing::run_program(std::string(LOOM_LOOMC) + " " + arguments);
}

TEST(OnnxLoomc, ShapeFixesADynamicInputAndParamsWritesTheWeights) {
  const std::string params = loom::testing::scratch_directory("onnx_loomc").string() + "/relu.params";
  auto run = loomc(kModels + "/errors/dynamic.onnx --shape x=4x3 --params " + params + " --emit=header");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("class dynamic {"));
  EXPECT_THAT(run.output, HasSubstr("x_shape{4, 3}"));
  EXPECT_THAT(run.output, HasSubstr("loomc: wrote the 0 weight tensors of 'dynamic' to " + params));
  EXPECT_EQ(loom::load_parameters(params).model_name, "dynamic");
}

TEST(OnnxLoomc, AShapeWithoutSizesIsRefused) {
  auto run = loomc(kModels + "/errors/dynamic.onnx --shape x");
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.output, HasSubstr("--shape takes NAME=D0xD1... (for example ids=35x8), got 'x'"));
}

TEST(OnnxLoomc, OnnxOptionsOnAnMlirFileAreRefused) {
  auto run = loomc("model.mlir --shape x=1x2");
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.output, HasSubstr("--shape and --params are for ONNX models (.onnx), and 'model.mlir' is not one"));
}

} // namespace
