// Trains SimpleRNN(3) to tag "John loves Jane" and "Jane loves John" as subject, verb, object: both
// sentences in one batch, one Adam step per epoch, a checkpoint after every epoch. Prints the tags
// before and after training and fails unless both sentences come out S V O and the layer's
// returned state equals its last per-step output.
#include "sentences.h"

#include "loom/runtime/training.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

void print_tags(const tagging::Model &model, const std::vector<tagging::Sentence> &sentences) {
  for (int64_t b = 0; b < tagging::kSentences; ++b)
    std::printf("  \"%s\" -> %s\n", sentences[size_t(b)].text.c_str(), tagging::predicted_tags(model, b).c_str());
}

} // namespace

int main(int argc, char **argv) {
  loom::TrainingOptions options{
      .epochs = 100, .checkpoint = "sequence_tagging.checkpoint", .loss_curve = "sequence_tagging_loss.png"};
  CLI::App app{"Trains SimpleRNN(3) to tag \"John loves Jane\" and \"Jane loves John\" as subject, verb, object.",
               "train_sequence_tagging"};
  loom::add_training_options(app, options);
  CLI11_PARSE(app, argc, argv);

  try {
    tagging::Model model(options.seed);
    const int64_t first_epoch = loom::start_or_resume(model, options) + 1; // one step per epoch
    std::vector<tagging::Sentence> sentences;
    for (const std::string &text : tagging::kTrainingSentences)
      sentences.push_back(tagging::parse(text));
    tagging::fill(model, sentences);
    model.forward();
    std::printf("before training:\n");
    print_tags(model, sentences);

    loom::TrainingLog log("sequence_tagging");
    const int64_t words = tagging::kWords * tagging::kSentences;
    if (first_epoch <= options.epochs) {
      loom::ProgressBar progress("training", options.epochs - first_epoch + 1);
      for (int64_t epoch = first_epoch; epoch <= options.epochs; ++epoch) {
        float loss = model.train_step();
        log.record_step(model.steps(), loss, options.checkpoint);
        double accuracy = double(tagging::count_correct(model)) / double(words);
        model.save_checkpoint(options.checkpoint);
        model.forward();
        log.record_evaluation(model.steps(), "tagging error (1 - accuracy)",
                              1.0 - double(tagging::count_correct(model)) / double(words));
        progress.update(epoch - first_epoch + 1, (epoch - first_epoch + 1) * tagging::kSentences, loss, accuracy);
      }
    }
    // Once at the end: drawing the PNG takes longer than an epoch of this model.
    log.write_loss_curve(options.loss_curve);

    model.forward();
    std::printf("after %lld epochs (loss %.4f); saved %s%s%s\n", (long long)model.steps(), model.loss(),
                options.checkpoint.c_str(), options.loss_curve.empty() ? "" : ", loss curve ",
                options.loss_curve.c_str());
    print_tags(model, sentences);
    bool tagged = true, state_matches = true;
    for (int64_t b = 0; b < tagging::kSentences; ++b) {
      tagged &= tagging::predicted_tags(model, b) == "S V O";
      state_matches &= tagging::state_is_last_output(model, b);
    }
    std::printf("final state == last per-step output: %s\n", state_matches ? "yes" : "no");
    if (!tagged || !state_matches) {
      std::fprintf(stderr, "train_sequence_tagging: %s\n",
                   !tagged ? "the sentences are not both tagged S V O yet; train longer (--epochs)"
                           : "the layer's final state differs from its last per-step output");
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_sequence_tagging: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
