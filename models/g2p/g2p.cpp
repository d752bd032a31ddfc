// g2p: spells out how words are pronounced, with a model trained by train_g2p.
//
//   g2p phoneme loom                      PHONEME  F OW N IY M ...
//   g2p --attention attention.png phoneme writes where each phoneme looked among the letters
//   g2p --beam phoneme                    beam search instead of greedy decoding
//
// Words come from the command line or, with none there, one per line from standard input. Each is
// decoded on its own by a batch-1 decoder (g2p_greedy_one or g2p_beam_one), the latency case.
#include "decode.h"
#include "g2p_beam_one.h"
#include "g2p_greedy_one.h"
#include "phoneme_file.h"

#include "loom/runtime/plot.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace loom::g2p;

/// The word in the dictionary's spelling (uppercase), or an error saying what the model can read.
std::string dictionary_spelling(const std::string &word) {
  std::string upper;
  for (char c : word) {
    char u = char(std::toupper(static_cast<unsigned char>(c)));
    if (!((u >= 'A' && u <= 'Z') || u == '\''))
      throw loom::Error("cannot read " + loom::in_quotes(word) + ": words are spelled with the letters A-Z and "
                        "the apostrophe only");
    upper += u;
  }
  if (!readable(upper))
    throw loom::Error("cannot read " + loom::in_quotes(word) + ": the model reads words of 1 to " +
                      std::to_string(kSourceSteps) + " letters");
  return upper;
}

loom::Heatmap heatmap_of(const std::string &word, const Prediction &prediction) {
  loom::Heatmap map{word + " -> " + phoneme_string(prediction.phonemes), {}, prediction.phonemes, {}};
  for (char c : word)
    map.column_labels.push_back(std::string(1, c));
  if (prediction.attention.size() > prediction.phonemes.size())
    map.row_labels.push_back("<end>");
  for (const std::vector<float> &row : prediction.attention)
    map.weights.insert(map.weights.end(), row.begin(), row.end());
  return map;
}

} // namespace

int main(int argc, char **argv) {
  std::string checkpoint = "g2p.checkpoint", phonemes_path = "g2p.phonemes", attention_path;
  std::vector<std::string> words;
  bool timing = false, beam = false;
  CLI::App app{"Spells out the pronunciation of words (ARPAbet phonemes without stress marks) with a model trained "
               "by train_g2p. Reads words from the command line, or one per line from standard input."};
  app.add_option("words", words, "words to pronounce (letters A-Z and the apostrophe, any case)");
  app.add_option("--checkpoint", checkpoint, "checkpoint or parameter file written by train_g2p")->capture_default_str();
  app.add_option("--phonemes", phonemes_path, "phoneme table written by train_g2p")->capture_default_str();
  app.add_option("--attention", attention_path, "write the attention weights of every word as a PNG heatmap here");
  app.add_flag("--beam", beam, "decode with beam search (" + std::to_string(kBeamWidth) +
                                  " beams) and print each pronunciation's log-probability")
      ->excludes(app.get_option("--attention"));
  app.add_flag("--time", timing, "print how long each word's decoding took");
  CLI11_PARSE(app, argc, argv);
  try {
    if (words.empty())
      for (std::string line; std::getline(std::cin, line);)
        if (!line.empty())
          words.push_back(line);
    // Every word is checked before the model loads, so a typo is reported at once.
    std::vector<std::string> spellings;
    for (const std::string &word : words)
      spellings.push_back(dictionary_spelling(word));
    loom::PhonemeSymbols symbols = load_phonemes(phonemes_path);
    std::vector<loom::Heatmap> maps;
    auto pronounce = [&](auto &decoder) {
      decoder.load_parameters(checkpoint);
      for (const std::string &spelling : spellings) {
        auto start = std::chrono::steady_clock::now();
        Prediction prediction = decode(decoder, {spelling}, symbols).front();
        double microseconds =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
        std::printf("%-16s %s", spelling.c_str(), phoneme_string(prediction.phonemes).c_str());
        if (beam)
          std::printf("   (log-probability %.3f)", prediction.score);
        if (timing)
          std::printf("   (%.0f us)", microseconds);
        std::printf("\n");
        if (!beam)
          maps.push_back(heatmap_of(spelling, prediction));
      }
    };
    if (beam)
      pronounce(*std::make_unique<loom::models::g2p_beam_one>());
    else
      pronounce(*std::make_unique<loom::models::g2p_greedy_one>());
    if (!attention_path.empty() && !maps.empty()) {
      loom::write_heatmap_png(attention_path, maps);
      std::printf("wrote the attention weights to %s\n", attention_path.c_str());
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "g2p: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
