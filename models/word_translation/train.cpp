// Trains the word translation encoder-decoder on its six pairs: all six in one batch with teacher
// forcing, one Adam step per epoch, a checkpoint after every epoch. Then the batch-1 translator
// reads the checkpoint and translates the six words greedily; training fails unless all six come
// out right.
#include "teacher_forcing.h"

#include "loom/runtime/training.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  loom::TrainingOptions options{
      .epochs = 100, .checkpoint = "word_translation.checkpoint", .loss_curve = "word_translation_loss.png"};
  CLI::App app{"Trains an encoder-decoder RNN to translate six English words into Korean.",
               "train_word_translation"};
  loom::add_training_options(app, options);
  CLI11_PARSE(app, argc, argv);

  try {
    translation::Trainer model(options.seed);
    const int64_t first_epoch = loom::start_or_resume(model, options) + 1; // one step per epoch
    translation::fill_pairs(model);
    loom::TrainingLog log("word_translation");
    if (first_epoch <= options.epochs) {
      // The accuracy shown is teacher forcing's: each target symbol predicted from the true ones before it.
      loom::ProgressBar progress("training", options.epochs - first_epoch + 1);
      for (int64_t epoch = first_epoch; epoch <= options.epochs; ++epoch) {
        float loss = model.train_step(); // with dropout on the decoder's outputs
        log.record_step(model.steps(), loss, options.checkpoint);
        double accuracy = translation::symbol_accuracy(model);
        model.save_checkpoint(options.checkpoint);
        model.forward(); // without dropout
        log.record_evaluation(model.steps(), "symbol error (1 - accuracy)",
                              1.0 - translation::symbol_accuracy(model));
        progress.update(epoch - first_epoch + 1, (epoch - first_epoch + 1) * translation::kPairs, loss, accuracy);
      }
    }
    // Once at the end: drawing the PNG takes longer than an epoch of this model.
    log.write_loss_curve(options.loss_curve);

    model.forward();
    std::printf("after %lld epochs (loss without dropout %.4f); saved %s%s%s\n", (long long)model.steps(),
                model.loss(), options.checkpoint.c_str(), options.loss_curve.empty() ? "" : ", loss curve ",
                options.loss_curve.c_str());
    translation::Translator translator;
    translator.load_parameters(options.checkpoint);
    int64_t correct = 0;
    std::printf("greedy translations:");
    for (const translation::Pair &pair : translation::kTrainingPairs) {
      translation::Translation result = translation::translate(translator, pair.english);
      const bool right = result.ended && result.korean == pair.korean;
      correct += right;
      std::printf("  %s -> %s%s", pair.english.c_str(), result.korean.c_str(),
                  right ? "" : (" (not " + pair.korean + ")").c_str());
    }
    std::printf("\n%lld/%lld correct\n", (long long)correct, (long long)translation::kTrainingPairs.size());
    if (correct != int64_t(translation::kTrainingPairs.size())) {
      std::fprintf(
          stderr, "train_word_translation: not every word is translated correctly yet; train longer (--epochs)\n");
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_word_translation: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
