// Classifies Fashion-MNIST test images with a trained checkpoint: each image drawn in text, its
// true class, and the model's top classes with their probabilities.
#include "batches.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"

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
  std::string checkpoint = "fashion_mnist.params", data_dir(loom::kFashionMnistDirectory);
  int64_t count = 4, first = 0, top = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--checkpoint")
      checkpoint = value;
    else if (flag == "--data")
      data_dir = value;
    else if (flag == "--count")
      count = std::stoll(value);
    else if (flag == "--first")
      first = std::stoll(value);
    else if (flag == "--top")
      top = std::stoll(value);
    else {
      std::fprintf(stderr, "usage: infer_fashion_mnist [--checkpoint FILE] [--data DIR] [--count N] "
                           "[--first INDEX] [--top K]\n");
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "infer_fashion_mnist: missing value after %s\n", argv[argc - 1]);
    return 2;
  }
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
