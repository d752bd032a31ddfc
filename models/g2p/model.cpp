// Grapheme-to-phoneme conversion on the CMU Pronouncing Dictionary ("PHONEME" -> F OW N IY M), the
// attention encoder-decoder of the neural machine translation tutorials (Bahdanau et al. 2015):
//   encoder  letter embedding and a bidirectional GRU over the word, reading each word's own length;
//   bridge   the decoder starts from tanh(W [forward final state; backward final state] + b);
//   decoder  a GRU fed the previous phoneme's embedding and the attention context, attention
//            scoring the previous decoder state against every letter (additive score, padding
//            masked out), and a Dense layer over [decoder state; context] giving the next phoneme.
// Three models share the layers and one parameter file:
//   g2p             trains with teacher forcing (the decoder reads <start> and the pronunciation
//                   shifted right) on a masked sequence loss, Adam 1e-3, gradients clipped to norm 5;
//   g2p_greedy      decodes a batch of words greedily in one compiled scan, each step feeding its
//                   most likely phoneme back, and returns the attention weights of every step;
//   g2p_greedy_one  the same for one word at a time, for latency (the g2p program);
//   g2p_beam, g2p_beam_one  beam search (kBeamWidth beams per word) for a batch and for one word,
//                   also compiled: each step keeps the best beams, and the best final beam is
//                   backtracked inside the model.
// bench/g2p_pytorch.py is the same model in PyTorch.
#include "sizes.h"

#include "loom/dsl/Attention.h"
#include "loom/dsl/Decoding.h"
#include "loom/dsl/Driver.h"

using namespace loom::dsl;
using namespace loom::g2p;

namespace {

/// The layers every variant uses, under the same names, so that they share a parameter file.
struct G2P {
  Embedding letters;
  GRU forward, backward;
  Dense bridge;
  Attention attention;
  Embedding phonemes;
  GRU decoder;
  Dense output;

  explicit G2P(Model &model)
      : letters(model, "letters", kLetterIds, kEmbedding), forward(model, "encoder.forward", kEncoderUnits),
        backward(model, "encoder.backward", kEncoderUnits, RecurrentOptions{.go_backwards = true}),
        bridge(model, "bridge", kDecoderUnits),
        attention(model, "attention", AttentionScore::Additive, kAttentionUnits),
        phonemes(model, "phonemes", kPhonemeIds, kEmbedding), decoder(model, "decoder", kDecoderUnits),
        output(model, "output", kPhonemeIds) {}

  /// What the decoder reads of a batch of words: the attention memory over the letters, and the
  /// decoder's initial state.
  struct Encoded {
    AttentionMemory memory;
    Tensor state;
  };

  /// `source`: letter ids [letters, B], time-major; `lengths`: int32 [B].
  Encoded encode(const Tensor &source, const Tensor &lengths) {
    Tensor x = letters(source);
    RecurrentOutputs f = forward.run(x, {}, lengths), b = backward.run(x, {}, lengths);
    Tensor values = concat({f.sequence, b.sequence}, 2);
    Tensor state = tanh(bridge(concat({f.state[0], b.state[0]}, 1)));
    return {attention.memory(values, lengths), state};
  }

  /// One decoder step from state `h` [B, H] and the previous phoneme's embedding [B, E].
  struct Step {
    Tensor state, context, weights;
  };
  Step step(const Encoded &encoded, const Tensor &h, const Tensor &previous) {
    AttentionOutputs a = attention(encoded.memory, h);
    Tensor next = decoder.step({h}, concat({previous, a.context}, 1))[0];
    return {next, a.context, a.weights};
  }

  /// Next-phoneme logits from decoder states and contexts ([..., H] and [..., D]).
  Tensor logits(const Tensor &state, const Tensor &context) {
    return output(concat({state, context}, state.rank() - 1));
  }

  /// Greedy decoding of `batch` words: every step's phoneme [T, B] and attention weights [T, B, S].
  void decode_greedily(Model &model, int64_t batch) {
    Encoded encoded = encode_inputs(model, batch);
    Tensor start = model.integer_constant({batch}, kStartId);
    std::vector<Tensor> decoded =
        scan(kTargetSteps, {encoded.state, start}, {},
             [&](const std::vector<Tensor> &carried, const std::vector<Tensor> &) {
               Step s = step(encoded, carried[0], phonemes(carried[1]));
               Tensor phoneme = argmax(logits(s.state, s.context));
               return ScanStep{{s.state, phoneme}, {phoneme, s.weights}};
             });
    model.output("phonemes", decoded[2]);
    model.output("attention", decoded[3]);
  }

  /// Beam search over `width` beams for each of `batch` words: the best beam's phonemes [T, B]
  /// and its log-probability [B].
  void decode_with_beams(Model &model, int64_t batch, int64_t width) {
    Encoded encoded = encode_inputs(model, batch);
    // Beam k of word b is row b * width + k: each reads its word's memory.
    const AttentionMemory &memory = encoded.memory;
    Encoded beams{{repeat_each(memory.values, 1, width), repeat_each(memory.keys, 1, width),
                   repeat_each(memory.penalty, 0, width)},
                  repeat_each(encoded.state, 0, width)};
    BeamSearchOutputs best = beam_search(
        model, {.batch = batch, .width = width, .steps = kTargetSteps, .start = kStartId, .end = kEndId},
        {beams.state}, [&](const std::vector<Tensor> &state, const Tensor &previous) {
          Step s = step(beams, state[0], phonemes(previous));
          return BeamStep{{s.state}, log_softmax(logits(s.state, s.context))};
        });
    model.output("phonemes", best.symbols);
    model.output("scores", best.scores);
  }

private:
  /// The decoders' inputs: letter ids [letters, B] and each word's length [B].
  Encoded encode_inputs(Model &model, int64_t batch) {
    Tensor source = model.integer_input("source", {kSourceSteps, batch});
    Tensor lengths = model.integer_input("source_lengths", {batch});
    return encode(source, lengths);
  }
};

} // namespace

LOOM_MODEL(g2p, model) {
  Tensor source = model.integer_input("source", {kSourceSteps, kBatch});
  Tensor source_lengths = model.integer_input("source_lengths", {kBatch});
  Tensor decoder_input = model.integer_input("decoder_input", {kTargetSteps, kBatch}); // <start>, phonemes
  Tensor target = model.integer_input("target", {kTargetSteps, kBatch});               // phonemes, <end>
  Tensor target_lengths = model.integer_input("target_lengths", {kBatch});             // with <end>
  G2P g2p(model);
  G2P::Encoded encoded = g2p.encode(source, source_lengths);
  std::vector<Tensor> decoded =
      scan(kTargetSteps, {encoded.state}, {g2p.phonemes(decoder_input)},
           [&](const std::vector<Tensor> &carried, const std::vector<Tensor> &previous) {
             G2P::Step s = g2p.step(encoded, carried[0], previous[0]);
             return ScanStep{{s.state}, {s.state, s.context, s.weights}};
           });
  Tensor logits = g2p.logits(decoded[1], decoded[2]); // [T, B, phonemes]
  model.output("logits", logits);
  model.output("attention", decoded[3]); // [T, B, letters]
  model.minimize(sequence_loss(logits, target, sequence_mask(target_lengths, kTargetSteps)),
                 Adam{.learning_rate = 1e-3}, ClipByGlobalNorm{.max_norm = 5.0});
}

LOOM_MODEL(g2p_greedy, model) {
  model.variant_of("g2p");
  G2P(model).decode_greedily(model, kDecodeBatch);
}

LOOM_MODEL(g2p_greedy_one, model) {
  model.variant_of("g2p");
  G2P(model).decode_greedily(model, 1);
}

LOOM_MODEL(g2p_beam, model) {
  model.variant_of("g2p");
  G2P(model).decode_with_beams(model, kDecodeBatch, kBeamWidth);
}

LOOM_MODEL(g2p_beam_one, model) {
  model.variant_of("g2p");
  G2P(model).decode_with_beams(model, 1, kBeamWidth);
}
