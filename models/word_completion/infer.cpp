// Completes three-letter prefixes with a trained word completion LSTM: the completed word and the
// most likely fourth letters with their probabilities.
#include "words.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  std::string checkpoint = "word_completion.checkpoint";
  int64_t top = 3;
  std::vector<std::string> prefixes;
  for (const std::string &word : completion::kWords)
    prefixes.push_back(word.substr(0, size_t(completion::kPrefixLetters)));
  CLI::App app{"Completes three-letter prefixes to four-letter words with a trained LSTM.",
               "infer_word_completion"};
  app.add_option("--checkpoint", checkpoint, "checkpoint or parameter file written by train_word_completion")
      ->capture_default_str();
  app.add_option("--top-k", top, "letters to show per prefix, with probabilities")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("prefixes", prefixes, "three-letter prefixes (default: those of the ten training words)");
  CLI11_PARSE(app, argc, argv);

  try {
    for (const std::string &prefix : prefixes)
      completion::check_prefix(prefix);
    completion::Model model;
    model.load_parameters(checkpoint);
    for (size_t first = 0; first < prefixes.size(); first += size_t(completion::kBatch)) {
      std::span<const std::string> batch =
          std::span(prefixes).subspan(first, std::min(prefixes.size() - first, size_t(completion::kBatch)));
      completion::fill(model, batch);
      model.forward();
      for (size_t b = 0; b < batch.size(); ++b) {
        std::printf("%s -> %s%c   ", batch[b].c_str(), batch[b].c_str(),
                    completion::completion(model, int64_t(b)));
        std::vector<float> probabilities = loom::softmax(completion::letter_logits(model, int64_t(b)));
        for (const loom::ClassScore &score : loom::top_k(probabilities, top))
          std::printf("  %c %6.2f%%", char('a' + score.index), 100.0 * score.score);
        std::printf("\n");
      }
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_word_completion: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
