// Attention over a source sequence, for encoder-decoder models: Bahdanau's additive score and
// Luong's dot and general scores, with padded source positions masked out of the softmax.
//
// A decoder calls memory() once, outside its scan, on the encoder's outputs; the keys every step
// compares against are computed there in one batched product. Inside the scan it calls the layer
// with its query (a decoder state) and gets the context vector and the attention weights.
#pragma once

#include "loom/dsl/Layers.h"

#include <optional>

namespace loom::dsl {

/// How a query is scored against each source position s.
enum class AttentionScore {
  /// Bahdanau et al. (2015): v · tanh(W_q q + W_k values_s + b_k), with a hidden layer of `units`.
  /// Parameters <name>.query.weight [units, Q], <name>.key.weight [units, D], <name>.key.bias
  /// [units], <name>.score.weight [1, units].
  Additive,
  /// Luong et al. (2015) "dot": q · values_s; the query and values have the same width.
  Dot,
  /// Luong et al. (2015) "general": q · (W values_s), with <name>.key.weight [Q, D].
  General,
};

/// What attention precomputes from the source once per sequence.
struct AttentionMemory {
  Tensor values;  ///< [S, B, D], time-major as the encoder returns them
  Tensor keys;    ///< [S, B, K]: what queries are compared with (the values themselves for Dot and
                  ///< General, which projects the query instead)
  Tensor penalty; ///< [B, S]: 0 at valid source positions, 1e9 at padding, subtracted from scores
};

/// One step of attention.
struct AttentionOutputs {
  Tensor context; ///< [B, D]: the values weighted by `weights`
  Tensor weights; ///< [B, S]: softmax of the scores over the valid source positions
};

class Attention {
public:
  /// `units` is the additive score's hidden width; the Luong scores take none (pass 0).
  Attention(Model &model, std::string name, AttentionScore score, int64_t units = 0,
            Where where = Where::current());

  /// Precomputes the keys of `values` [S, B, D]. With `lengths` (int32 [B], each in [1, S]),
  /// positions at and past each example's length get no attention.
  AttentionMemory memory(const Tensor &values, std::optional<Tensor> lengths = std::nullopt);
  /// Scores `query` [B, Q] against every source position of `memory`.
  AttentionOutputs operator()(const AttentionMemory &memory, const Tensor &query);

private:
  Model &model_;
  std::string name_;
  AttentionScore score_;
  int64_t units_;
  Where where_;
  Tensor query_weight_, score_weight_;
  std::optional<Dense> key_;
};

} // namespace loom::dsl
