// Trains the Fashion-MNIST LSTM classifier from its generated library: shuffled batches of 128,
// Adam, test accuracy after every epoch, an atomically written checkpoint after every epoch.
#include "batches.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"
#include "loom/runtime/random.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

struct Options {
  int epochs = 5;
  uint64_t seed = 1;
  int64_t limit = 0; // training examples per epoch; 0 = all
  std::string data = std::string(loom::kFashionMnistDirectory);
  std::string checkpoint = "fashion_mnist.params";
  double require_accuracy = 0; // exit non-zero when the final test accuracy is lower
};

[[noreturn]] void usage(const char *message) {
  std::fprintf(stderr,
               "train_fashion_mnist: %s\n"
               "usage: train_fashion_mnist [--epochs N] [--seed S] [--limit EXAMPLES] [--data DIR] "
               "[--checkpoint FILE] [--require-accuracy FRACTION]\n",
               message);
  std::exit(2);
}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc)
      usage(("missing value after " + flag).c_str());
    std::string value = argv[++i];
    if (flag == "--epochs")
      o.epochs = std::stoi(value);
    else if (flag == "--seed")
      o.seed = std::stoull(value);
    else if (flag == "--limit")
      o.limit = std::stoll(value);
    else if (flag == "--data")
      o.data = value;
    else if (flag == "--checkpoint")
      o.checkpoint = value;
    else if (flag == "--require-accuracy")
      o.require_accuracy = std::stod(value);
    else
      usage(("unknown option " + flag).c_str());
  }
  if (o.epochs < 1)
    usage("--epochs must be at least 1");
  return o;
}

} // namespace

int main(int argc, char **argv) {
  Options options = parse(argc, argv);
  try {
    loom::FashionMnist data = loom::load_fashion_mnist(options.data);
    fashion::Model model(options.seed);
    loom::Random random(options.seed, /*stream=*/1);
    int64_t examples = options.limit > 0 ? std::min<int64_t>(options.limit, int64_t(data.train.labels.size()))
                                         : int64_t(data.train.labels.size());
    int64_t batches = examples / fashion::kBatch;
    std::printf("Fashion-MNIST: %zu training and %zu test images; rows as %lld time steps, batch %lld, "
                "%lld steps per epoch\n",
                data.train.labels.size(), data.test.labels.size(), (long long)fashion::kRows,
                (long long)fashion::kBatch, (long long)batches);
    std::vector<int64_t> order(data.train.labels.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = int64_t(i);
    double test_accuracy = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
      random.shuffle(order);
      loom::ProgressBar progress("epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs), batches);
      auto start = std::chrono::steady_clock::now();
      double loss_sum = 0;
      int64_t correct = 0;
      for (int64_t b = 0; b < batches; ++b) {
        fashion::fill_batch(model, data.train, std::span(order).subspan(b * fashion::kBatch, fashion::kBatch));
        float loss = model.train_step();
        if (!std::isfinite(loss))
          throw loom::Error("the loss became " + std::to_string(loss) + " at step " + std::to_string(model.steps()) +
                            " (epoch " + std::to_string(epoch) + "); training stopped, and " + options.checkpoint +
                            " still holds the last good epoch's parameters");
        loss_sum += loss;
        correct += fashion::count_correct(model, fashion::kBatch);
        progress.update(b + 1, (b + 1) * fashion::kBatch, loss_sum / double(b + 1),
                        double(correct) / double((b + 1) * fashion::kBatch));
      }
      progress.finish();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      test_accuracy = fashion::evaluate(model, data.test);
      model.save_parameters(options.checkpoint);
      std::printf("epoch %d: train loss %.4f, train accuracy %.4f, test accuracy %.4f, %.1f s (%.0f examples/s); "
                  "saved %s\n",
                  epoch, loss_sum / double(batches), double(correct) / double(batches * fashion::kBatch),
                  test_accuracy, seconds, double(batches * fashion::kBatch) / seconds, options.checkpoint.c_str());
      std::fflush(stdout);
    }
    if (test_accuracy < options.require_accuracy) {
      std::fprintf(stderr, "train_fashion_mnist: test accuracy %.4f is below the required %.4f\n", test_accuracy,
                   options.require_accuracy);
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_fashion_mnist: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
