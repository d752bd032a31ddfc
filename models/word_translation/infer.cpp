// Translates English words into Korean with the trained batch-1 translator, greedily, and shows at
// every output step the most likely symbols with their probabilities: how sure the model is, on
// the six training words and on misspellings of them.
#include "pairs.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  std::string checkpoint = "word_translation.checkpoint";
  int64_t top = 3;
  std::vector<std::string> words;
  for (const translation::Pair &pair : translation::kTrainingPairs)
    words.push_back(pair.english);
  words.insert(words.end(), {"wodr", "loev"});
  CLI::App app{"Translates four-letter English words into Korean with a trained encoder-decoder RNN.",
               "infer_word_translation"};
  app.add_option("--checkpoint", checkpoint, "checkpoint or parameter file written by train_word_translation")
      ->capture_default_str();
  app.add_option("--top-k", top, "symbols to show per output step, with probabilities")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("words", words, "words of four lowercase letters (default: the six training words, wodr, loev)");
  CLI11_PARSE(app, argc, argv);

  try {
    for (const std::string &word : words)
      translation::letter_ids(word);
    translation::Translator translator;
    translator.load_parameters(checkpoint);
    for (const std::string &word : words) {
      translation::Translation result = translation::translate(translator, word);
      std::printf("%s -> %s%s\n", word.c_str(), result.korean.c_str(), result.ended ? "" : " (no <end>)");
      for (size_t t = 0; t < result.step_logits.size(); ++t) {
        std::printf("  step %zu:", t + 1);
        std::vector<float> probabilities = loom::softmax(result.step_logits[t]);
        for (const loom::ClassScore &score : loom::top_k(probabilities, top))
          std::printf("  %s %6.2f%%", translation::symbol_text(int32_t(score.index)).c_str(), 100.0 * score.score);
        std::printf("\n");
      }
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_word_translation: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
