// Trains the word completion LSTM on the tutorial's ten words: all ten in one batch, one Adam step
// per epoch, a checkpoint after every epoch. Prints the completions before and after training and
// fails unless all ten words are completed correctly.
#include "words.h"

#include "loom/runtime/training.h"

#include <cstdio>
#include <string>

namespace {

/// "wor -> word" for every training word; returns how many are right.
int64_t print_completions(const completion::Model &model) {
  int64_t correct = 0;
  std::string line;
  for (int64_t b = 0; b < completion::kBatch; ++b) {
    const std::string &word = completion::kWords[size_t(b)];
    std::string completed = word.substr(0, size_t(completion::kPrefixLetters)) + completion::completion(model, b);
    correct += completed == word;
    line += "  " + completed + (completed == word ? "" : "(" + word + ")");
  }
  std::printf("%s\n  %lld/%lld correct\n", line.c_str(), (long long)correct, (long long)completion::kBatch);
  return correct;
}

} // namespace

int main(int argc, char **argv) {
  loom::TrainingOptions options{
      .epochs = 30, .checkpoint = "word_completion.checkpoint", .loss_curve = "word_completion_loss.png"};
  CLI::App app{"Trains a 2-layer LSTM to complete the fourth letter of ten four-letter words.",
               "train_word_completion"};
  loom::add_training_options(app, options);
  CLI11_PARSE(app, argc, argv);

  try {
    completion::Model model(options.seed);
    const int64_t first_epoch = loom::start_or_resume(model, options) + 1; // one step per epoch
    completion::fill_training_words(model);
    model.forward();
    std::printf("before training (a wrong completion is followed by the word in parentheses):\n");
    print_completions(model);

    loom::TrainingLog log("word_completion");
    if (first_epoch <= options.epochs) {
      loom::ProgressBar progress("training", options.epochs - first_epoch + 1);
      for (int64_t epoch = first_epoch; epoch <= options.epochs; ++epoch) {
        float loss = model.train_step(); // with dropout between the layers
        log.record_step(model.steps(), loss, options.checkpoint);
        double accuracy = double(completion::count_correct(model)) / double(completion::kBatch);
        model.save_checkpoint(options.checkpoint);
        model.forward(); // without dropout
        log.record_evaluation(model.steps(), "completion error (1 - accuracy)",
                              1.0 - double(completion::count_correct(model)) / double(completion::kBatch));
        progress.update(epoch - first_epoch + 1, (epoch - first_epoch + 1) * completion::kBatch, loss, accuracy);
      }
    }
    // Once at the end: drawing the PNG takes longer than an epoch of this model.
    log.write_loss_curve(options.loss_curve);

    model.forward();
    std::printf("after %lld epochs (loss without dropout %.4f); saved %s%s%s\n", (long long)model.steps(),
                model.loss(), options.checkpoint.c_str(), options.loss_curve.empty() ? "" : ", loss curve ",
                options.loss_curve.c_str());
    if (print_completions(model) != completion::kBatch) {
      std::fprintf(stderr,
                   "train_word_completion: not every word is completed correctly yet; train longer (--epochs)\n");
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_word_completion: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
