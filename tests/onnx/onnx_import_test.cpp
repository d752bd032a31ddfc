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

/// One forward pass of an imported model: its weights from the file loomc wrote, its inputs as the
/// reference's, and each output's largest difference from the reference's.
template <typename Model> class Imported {
public:
  explicit Imported(const std::string &parameters)
      : reference_(loom::testing::json_file(kModels + "/reference.json", "make_models.py (target onnx_test_models)")
                       .at(Model::kName)) {
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

/// The loom::Error that importing `file` (under the models' errors/ folder) throws.
std::string importError(const std::string &file, const loom::importer::OnnxOptions &options = {}) {
  loom::dsl::Model model("refused");
  try {
    loom::importer::import_onnx(kModels + "/errors/" + file, model, options);
  } catch (const loom::Error &error) { // OnnxError, or the runtime's for an impossible shape
    return error.what();
  }
  return "(imported without an error)";
}

/// A model of errors/ that the importer must refuse, and the message it must give.
struct Refusal {
  const char *file, *message;
};

class OnnxImportRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(OnnxImportRefuses, WithItsMessage) { EXPECT_THAT(importError(GetParam().file), HasSubstr(GetParam().message)); }

// Each model makes one mistake (make_models.py, error_models).
INSTANTIATE_TEST_SUITE_P(
    OnnxImportErrors, OnnxImportRefuses,
    ::testing::Values(
        Refusal{"unsupported.onnx", "unsupported ONNX operator 'Erf' (node 'erf1'); Loom imports RNN, LSTM, GRU"},
        Refusal{"other_domain.onnx", "unsupported ONNX operator 'com.microsoft::FusedGemm' (node 'fused')"},
        Refusal{"dynamic.onnx", "input 'x' has shape [batch, 3] with sizes fixed only at run time; Loom compiles "
                                "static shapes: give them with --shape x=D0xD1..."},
        Refusal{"bool_input.onnx", "input 'flags' has element type BOOL; Loom's inputs are float (as float32) or "
                                   "integer (as int32)"},
        Refusal{"undefined_output.onnx", "value 'y' is used before any node, input or initializer defines it"},
        Refusal{"batched_matmul.onnx", "node 'bmm' (MatMul): multiplies [2, 3, 4] by [2, 4, 5]; Loom imports "
                                       "[..., M, K] times a matrix [K, N]"},
        Refusal{"matmul_sizes.onnx", "node 'product' (MatMul): cannot multiply [2, 3] by [4, 5]: 3 != 4"},
        Refusal{"softmax_axis.onnx", "node 'softmax0' (Softmax): normalizes axis 0 of [2, 3]; Loom's Softmax is over "
                                     "the last axis"},
        Refusal{"broadcast.onnx", "node 'plus' (Add): shapes [2, 3] and [4] do not broadcast"},
        Refusal{"integer_arithmetic.onnx", "node 'sum' (Add): computes on integer tensors of the model; Loom's "
                                           "arithmetic is on floats"},
        Refusal{"cast_to_integers.onnx", "node 'to_int' (Cast): casts a tensor of the model from floats to integers"},
        Refusal{"gather_axis.onnx", "node 'columns' (Gather): gathers with indices computed from the model's inputs "
                                    "only rows of a float table [V, E] (axis 0), got data [2, 3] along axis 1"},
        Refusal{"float_shape.onnx", "node 'fractional' (Reshape): shape (input 1) must hold integers"},
        Refusal{"reshape_size.onnx", "node 'resize' (Reshape): cannot reshape [2, 3] to [4, 2]"},
        Refusal{"reshape_two_unknown.onnx", "node 'unknowns' (Reshape): shape [-1, -1] has more than one -1"},
        Refusal{"squeeze_size.onnx", "node 'squeeze0' (Squeeze): cannot squeeze axis 0 of [2, 3]: its size is not 1"},
        Refusal{"concat_ranks.onnx", "node 'join' (Concat): joins [2, 3] and [3] of different ranks"},
        Refusal{"transpose_perm.onnx", "node 'flip' (Transpose): perm [0, 0] is not a permutation of the axes of [2, 3]"},
        Refusal{"slice_step.onnx", "node 'still' (Slice): has step 0"},
        Refusal{"fold_too_large.onnx", "folding a constant of shape [1048576, 1024] (1073741824 elements) at import "
                                       "time is more than Loom does (at most 16777216)"},
        Refusal{"clip.onnx", "node 'clipped' (LSTM): the 'clip' attribute (cell clipping) is not supported"},
        Refusal{"peephole.onnx", "node 'peephole' (LSTM): peephole connections (input P) are not supported"},
        Refusal{"input_forget.onnx", "node 'coupled' (LSTM): input_forget=1 (coupled input and forget gates) is not "
                                     "supported"},
        Refusal{"direction.onnx", "node 'sideways' (LSTM): direction 'sideways' is not one of forward, reverse, "
                                  "bidirectional"},
        Refusal{"no_hidden_size.onnx", "node 'unsized' (LSTM): needs a positive hidden_size attribute, got 0"},
        Refusal{"rnn_sigmoid.onnx", "node 'rnn1' (RNN): activation 'Sigmoid' is not supported (RNN takes Tanh or Relu "
                                    "there)"},
        Refusal{"computed_weights.onnx", "node 'fed' (LSTM): W (input 1) must be known when the model is compiled (an "
                                         "initializer or a constant), but it is computed from the model's inputs"},
        Refusal{"integer_weights.onnx", "node 'counted' (LSTM): W (input 1) must hold floats"},
        Refusal{"lengths_shape.onnx", "node 'lengths' (LSTM): sequence_lens must be integers [1], got [3]"},
        Refusal{"wrong_width.onnx", "node 'wrong_width' (LSTM): W has shape [1, 8, 3], expected [1, 12, 3] for X "
                                    "[4, 1, 3]"},
        Refusal{"external.onnx", "initializer 'k' keeps its data in an external file, which Loom does not read; save "
                                 "the model with its tensors inside"},
        Refusal{"garbage.onnx", "garbage.onnx' is not an ONNX model"}));

TEST(OnnxImportErrors, AShapeForAnInputTheModelDoesNotHaveIsRefused) {
  EXPECT_THAT(importError("dynamic.onnx", {.input_shapes = {{"y", {2, 3}}}}),
              HasSubstr("--shape names 'y', which is not an input of the model"));
}

TEST(OnnxImportErrors, AGivenShapeOfAnotherRankIsRefused) {
  EXPECT_THAT(importError("dynamic.onnx", {.input_shapes = {{"x", {2, 3, 4}}}}),
              HasSubstr("input 'x' has rank 2 but --shape gives [2, 3, 4]"));
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
