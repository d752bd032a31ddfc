// The static shapes and layer sizes of the g2p models, shared by the model definition and the
// programs that fill their inputs.
#pragma once

#include <cstdint>

namespace loom::g2p {

/// Letters of the longest word the models read, and decoder steps: the longest pronunciation
/// they write (16 phonemes, which 99.9% of the dictionary's words fit) and <end>.
inline constexpr int64_t kSourceSteps = 16, kTargetSteps = 17;
/// <pad>, A-Z and the apostrophe; <pad>, <start>, <end> and the 39 phonemes without stress.
inline constexpr int64_t kLetterIds = 28, kPhonemeIds = 42;
inline constexpr int64_t kEmbedding = 64, kEncoderUnits = 128, kDecoderUnits = 256, kAttentionUnits = 256;
/// Words per training step, and per call of g2p_greedy and g2p_beam.
inline constexpr int64_t kBatch = 128, kDecodeBatch = 256;
/// The phoneme ids that start and end every pronunciation (loom::PhonemeSymbols::kStart, kEnd).
inline constexpr int32_t kStartId = 1, kEndId = 2;

/// Beams per word of g2p_beam and g2p_beam_one; set at build time with
/// cmake -DLOOM_G2P_BEAM_WIDTH=<width>.
#ifdef LOOM_G2P_BEAM_WIDTH
inline constexpr int64_t kBeamWidth = LOOM_G2P_BEAM_WIDTH;
#else
inline constexpr int64_t kBeamWidth = 4;
#endif

} // namespace loom::g2p
