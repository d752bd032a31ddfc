// Writes fortunes with a trained text_generation checkpoint: the most likely characters after the
// starting text, then one sample per temperature (low: safe and repetitive; high: inventive, with
// more misspellings).
#include "sampling.h"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace {

using namespace text_generation;

/// A character as it reads in a list: 'a', ' ', '\n', or byte 0xc3 for part of a UTF-8 sequence.
std::string quoted(char character) {
  if (character == '\n')
    return "'\\n'";
  if (character == '\t')
    return "'\\t'";
  auto byte = static_cast<unsigned char>(character);
  if (byte >= 0x20 && byte < 0x7f)
    return std::string("'") + character + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02x", byte);
  return text;
}

struct Options {
  std::string checkpoint = "text_generation.checkpoint";
  std::string data = std::string(loom::kFortunesDirectory);
  std::string prime = "The ";
  int64_t length = 300;
  std::vector<float> temperatures = {0.2f, 0.5f, 1.0f, 1.2f};
  int64_t top_k = 5;
  uint64_t seed = 1;
};

void sample(const Options &options) {
  const loom::CharVocabulary vocabulary = load_corpus(options.data).vocabulary;
  for (char character : options.prime)
    if (vocabulary.characters().find(character) == std::string::npos)
      throw loom::Error("--prime: " + quoted(character) +
                        " does not occur in the fortunes, so the model cannot read it; start from other characters");
  Sampler sampler;
  sampler.load_parameters(options.checkpoint);
  TextSampler text_sampler(sampler, vocabulary);
  if (options.top_k > 0) {
    std::vector<float> probabilities = loom::softmax(text_sampler.read(options.prime));
    std::printf("after \"%s\":", options.prime.c_str());
    for (const loom::ClassScore &score : loom::top_k(probabilities, options.top_k))
      std::printf("  %s %.1f%%", quoted(vocabulary.character(int32_t(score.index))).c_str(), 100.0 * score.score);
    std::printf("\n\n");
  }
  for (size_t i = 0; i < options.temperatures.size(); ++i) {
    loom::Random random(options.seed, uint64_t(i));
    std::string text = text_sampler.generate(options.prime, options.length, options.temperatures[i], random);
    std::printf("temperature %g, %zu characters:\n%s%s\n\n", double(options.temperatures[i]), text.size(),
                options.prime.c_str(), text.c_str());
  }
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  CLI::App app{"Samples fortunes from a trained text_generation checkpoint.", "infer_text_generation"};
  app.add_option("--checkpoint", options.checkpoint, "parameters or checkpoint written by train_text_generation")
      ->capture_default_str();
  app.add_option("--data", options.data, "directory of the fortune files (for the vocabulary)")->capture_default_str();
  app.add_option("--prime", options.prime, "text the samples start from")->capture_default_str();
  app.add_option("--length", options.length, "characters per sample")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(0), int64_t(100000)));
  app.add_option("--temperatures", options.temperatures, "one sample per temperature")
      ->capture_default_str()
      ->check(CLI::Range(0.01f, 100.0f));
  app.add_option("--top-k", options.top_k, "most likely next characters to list after the prime (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(0), kVocabulary));
  app.add_option("--seed", options.seed, "seed of the samples")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    sample(options);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_text_generation: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
