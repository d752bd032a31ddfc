// Classifies Fashion-MNIST test images with a trained checkpoint: each image drawn in text, its
// true class, and the model's top classes with their probabilities.
#include "batches.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

/// A 28x28 image in 14 text rows (two pixel rows per line), darker characters for brighter pixels.
void draw(const float *image) {
  static const char shades[] = " .:-=+*#%@";
  for (int row = 0; row < 28; row += 2) {
    std::string line;
    for (int col = 0; col < 28; ++col) {
      float v = 0.5f * (image[row * 28 + col] + image[(row + 1) * 28 + col]);
      line += shades[std::min(9, int(v * 10))];
    }
    std::printf("    %s\n", line.c_str());
  }
}

} // namespace

int main(int argc, char **argv) {
  std::string checkpoint = "fashion_mnist.checkpoint", data_dir(loom::kFashionMnistDirectory);
  int64_t count = 4, first = 0, top = 3;
  CLI::App app{"Classifies Fashion-MNIST test images with a trained checkpoint.", "infer_fashion_mnist"};
  app.add_option("--checkpoint", checkpoint, "parameters or checkpoint saved by train_fashion_mnist")
      ->capture_default_str();
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files")->capture_default_str();
  app.add_option("--count", count, "how many test images to classify (at most 128)")->capture_default_str();
  app.add_option("--first", first, "index of the first test image")->capture_default_str();
  app.add_option("--top-k,--top", top, "classes to show per image, most probable first")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    loom::FashionMnist data = loom::load_fashion_mnist(data_dir);
    fashion::Model model;
    model.load_parameters(checkpoint);
    int64_t available = int64_t(data.test.labels.size());
    count = std::clamp<int64_t>(count, 1, fashion::kBatch);
    if (first < 0 || first + count > available)
      throw loom::Error("--first " + std::to_string(first) + " with --count " + std::to_string(count) +
                        " runs past the " + std::to_string(available) + " test images");
    std::vector<int64_t> indices(fashion::kBatch);
    for (int64_t b = 0; b < fashion::kBatch; ++b)
      indices[b] = first + std::min(b, count - 1);
    fashion::fill_batch(model, data.test, indices);
    model.forward();
    for (int64_t b = 0; b < count; ++b) {
      int64_t index = indices[b];
      std::printf("test image %lld, labelled %s:\n", (long long)index,
                  std::string(loom::kFashionMnistClassNames[data.test.labels[index]]).c_str());
      draw(data.test.images.data.data() + index * 28 * 28);
      std::vector<float> probabilities = loom::softmax(model.logits().subspan(b * fashion::kClasses, fashion::kClasses));
      for (const loom::ClassScore &score : loom::top_k(probabilities, top))
        std::printf("    %-12s %6.2f%%\n", std::string(loom::kFashionMnistClassNames[score.index]).c_str(),
                    100.0 * score.score);
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_fashion_mnist: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
