// Trains the Fashion-MNIST LSTM classifier from its generated library: shuffled batches of 128,
// Adam, test accuracy after every epoch, an atomically written checkpoint after every epoch (and
// every --checkpoint-every steps), the loss curve as a PNG, and --resume to continue an interrupted
// run, inside an epoch too.
#include "batches.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"
#include "loom/runtime/random.h"
#include "loom/runtime/training.h"

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  loom::TrainingOptions options{.epochs = 5, .checkpoint = "fashion_mnist.checkpoint",
                                .loss_curve = "fashion_mnist_loss.png"};
  int64_t limit = 0; // training examples per epoch; 0 = all
  std::string data_directory(loom::kFashionMnistDirectory);
  double require_accuracy = 0;
  CLI::App app{"Trains the row-by-row LSTM classifier on Fashion-MNIST.", "train_fashion_mnist"};
  loom::add_training_options(app, options);
  loom::add_checkpoint_every_option(app, options);
  app.add_option("--limit", limit, "training examples per epoch (0: all 60000)")->capture_default_str();
  app.add_option("--data", data_directory, "folder with the Fashion-MNIST IDX files")->capture_default_str();
  app.add_option("--require-accuracy", require_accuracy,
                 "exit with status 1 when the final test accuracy is lower");
  CLI11_PARSE(app, argc, argv);

  try {
    loom::FashionMnist data = loom::load_fashion_mnist(data_directory);
    fashion::Model model(options.seed);
    const int64_t first_step = loom::start_or_resume(model, options);
    int64_t examples = limit > 0 ? std::min<int64_t>(limit, int64_t(data.train.labels.size()))
                                 : int64_t(data.train.labels.size());
    const int64_t batches = examples / fashion::kBatch;
    if (batches == 0)
      throw loom::Error("--limit " + std::to_string(limit) + " is less than one batch of " +
                        std::to_string(fashion::kBatch) + " examples; pass at least " +
                        std::to_string(fashion::kBatch) + ".");
    std::printf("Fashion-MNIST: %zu training and %zu test images; rows as %lld time steps, batch %lld, "
                "%lld steps per epoch\n",
                data.train.labels.size(), data.test.labels.size(), (long long)fashion::kRows,
                (long long)fashion::kBatch, (long long)batches);
    loom::TrainingLog log("Fashion-MNIST LSTM");
    double test_accuracy = 0;
    const loom::TrainingPosition resumed = loom::training_position(first_step, batches);
    for (int epoch = resumed.epoch; epoch <= options.epochs; ++epoch) {
      // Each epoch's order depends only on the seed and the epoch, so a resumed run sees the same.
      std::vector<int64_t> order =
          loom::Random(options.seed, /*stream=*/uint64_t(epoch)).permutation(int64_t(data.train.labels.size()));
      const int64_t first_batch = epoch == resumed.epoch ? resumed.batches_done : 0;
      loom::ProgressBar progress("epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs),
                                 batches - first_batch);
      auto start = std::chrono::steady_clock::now();
      double loss_sum = 0;
      int64_t correct = 0, seen = 0;
      for (int64_t b = first_batch; b < batches; ++b) {
        fashion::fill_batch(model, data.train, std::span(order).subspan(b * fashion::kBatch, fashion::kBatch));
        float loss = model.train_step();
        log.record_step(model.steps(), loss, options.checkpoint);
        if (options.checkpoint_due(model.steps()))
          model.save_checkpoint(options.checkpoint);
        loss_sum += loss;
        correct += fashion::count_correct(model, fashion::kBatch);
        seen += fashion::kBatch;
        progress.update(b - first_batch + 1, seen, loss_sum / double(b - first_batch + 1),
                        double(correct) / double(seen));
      }
      progress.finish();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      test_accuracy = fashion::evaluate(model, data.test);
      log.record_evaluation(model.steps(), "test error (1 - accuracy)", 1.0 - test_accuracy);
      model.save_checkpoint(options.checkpoint);
      log.write_loss_curve(options.loss_curve);
      std::printf("epoch %d: train loss %.4f, train accuracy %.4f, test accuracy %.4f, %.1f s (%.0f examples/s); "
                  "saved %s\n",
                  epoch, loss_sum / double(seen / fashion::kBatch), double(correct) / double(seen), test_accuracy,
                  seconds, double(seen) / seconds, options.checkpoint.c_str());
      std::fflush(stdout);
    }
    if (!options.loss_curve.empty())
      std::printf("loss curve: %s\n", options.loss_curve.c_str());
    if (test_accuracy < require_accuracy) {
      std::fprintf(stderr, "train_fashion_mnist: test accuracy %.4f is below the required %.4f\n", test_accuracy,
                   require_accuracy);
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_fashion_mnist: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
