// Classifies emails with a trained spam classifier: a file or standard input (a raw email, or plain
// text), or emails of the test split; prints P(spam) and the top classes.
#include "batches.h"
#include "text_classification_single.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

namespace {

using Model = loom::models::text_classification_single;

/// Runs the model on one email's words and prints P(spam) and the `top` classes.
void classify(Model &model, const spam::Vocabulary &vocabulary, std::span<const std::string> words, int64_t top) {
  spam::Vocabulary::Encoded email = vocabulary.encode(words);
  const spam::Vocabulary::Encoded *batch[] = {&email};
  spam::fill_inputs(model, batch);
  model.forward();
  std::vector<float> probabilities = spam::class_probabilities(model, 0);
  std::printf("    %zu words, %d read, %lld of them unknown\n", words.size(), words.empty() ? 0 : email.length,
              (long long)email.unknown);
  std::printf("    P(spam) = %.4f\n", probabilities[1]);
  for (const loom::ClassScore &score : loom::top_k(probabilities, top))
    std::printf("    %-4s %7.2f%%\n", std::string(spam::kClassNames[score.index]).c_str(), 100.0 * score.score);
}

std::string read_input(const std::string &file) {
  if (file != "-")
    return loom::read_file(file, "email file", "Pass a raw email or a text file with --file, or - for standard input.");
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

} // namespace

int main(int argc, char **argv) {
  std::string checkpoint = "text_classification.checkpoint", vocabulary_path = "text_classification.vocabulary";
  std::string file = "-", data = spam::default_data_directory();
  int64_t examples = 0, top = 2;
  CLI::App app{"Says whether an email is spam, with a model trained by train_text_classification. Reads an email "
               "(headers and all) or plain text from --file or standard input, or classifies --examples emails of the "
               "test split."};
  app.add_option("--checkpoint", checkpoint, "checkpoint or parameter file written by train_text_classification")
      ->capture_default_str();
  app.add_option("--vocabulary", vocabulary_path, "vocabulary file written by train_text_classification")
      ->capture_default_str();
  CLI::Option *file_option =
      app.add_option("--file", file, "the email or text to classify; - reads standard input")->capture_default_str();
  app.add_option("--examples", examples, "classify N emails spread evenly over the test split instead")
      ->check(CLI::PositiveNumber)
      ->excludes(file_option);
  app.add_option("--data", data, "the npm package's directory, for --examples")->capture_default_str();
  app.add_option("--top-k", top, "how many classes to print, most likely first")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  CLI11_PARSE(app, argc, argv);
  try {
    spam::Vocabulary vocabulary = spam::Vocabulary::load(vocabulary_path);
    Model model;
    model.load_parameters(checkpoint);
    if (examples == 0) {
      bool email = false;
      std::vector<std::string> words = spam::words_of(read_input(file), &email);
      std::printf("%s, read as %s:\n", file == "-" ? "standard input" : file.c_str(),
                  email ? "an email (its subject and text parts)" : "plain text");
      classify(model, vocabulary, words, top);
      return 0;
    }
    spam::Corpus corpus = spam::load_corpus(data);
    // The split lists ham first, then spam: emails spread evenly over it show both.
    int64_t count = int64_t(corpus.test.size()), shown = std::min(examples, count);
    for (int64_t i = 0; i < shown; ++i) {
      const spam::Document &email = corpus.test[i * count / shown];
      std::printf("test email %s, labelled %s, subject \"%s\":\n", email.name.c_str(),
                  std::string(spam::kClassNames[email.label]).c_str(), email.subject.substr(0, 60).c_str());
      classify(model, vocabulary, email.words, top);
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_text_classification: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
