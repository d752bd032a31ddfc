// Shared by train.cpp and infer.cpp: puts Fashion-MNIST images into the model's time-major input,
// each image's 28 rows being the 28 time steps, and scores a batch of logits.
#pragma once

#include "fashion_mnist.h"
#include "loom/runtime/idx.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace fashion {

using Model = loom::models::fashion_mnist;
constexpr int64_t kRows = Model::images_shape[0], kBatch = Model::images_shape[1],
                  kPixels = Model::images_shape[2], kClasses = Model::logits_shape[1];

/// Mean and standard deviation of the training pixels (in [0, 1]): inputs are standardized with
/// them, as torchvision's Normalize does, which speeds up the first epoch.
constexpr float kPixelMean = 0.2860f, kPixelStd = 0.3530f;

/// Copies examples `indices` of `data` into the model's inputs: images [T = row, B, I = pixel].
inline void fill_batch(Model &model, const loom::LabeledImages &data, std::span<const int64_t> indices) {
  std::span<float> images = model.images();
  std::span<int32_t> labels = model.labels();
  for (int64_t b = 0; b < kBatch; ++b) {
    const float *image = data.images.data.data() + indices[b] * kRows * kPixels;
    for (int64_t row = 0; row < kRows; ++row) {
      float *step = images.data() + (row * kBatch + b) * kPixels;
      for (int64_t pixel = 0; pixel < kPixels; ++pixel)
        step[pixel] = (image[row * kPixels + pixel] - kPixelMean) / kPixelStd;
    }
    labels[b] = data.labels[indices[b]];
  }
}

/// How many of the first `valid` rows of the model's logits pick the label.
inline int64_t count_correct(const Model &model, int64_t valid) {
  std::span<const float> logits = model.logits();
  std::span<int32_t> labels = const_cast<Model &>(model).labels();
  int64_t correct = 0;
  for (int64_t b = 0; b < valid; ++b) {
    std::span<const float> row = logits.subspan(b * kClasses, kClasses);
    correct += std::max_element(row.begin(), row.end()) - row.begin() == labels[b];
  }
  return correct;
}

/// Test-set accuracy with forward(): the last partial batch is padded by repeating its first
/// example, and only real examples are counted.
inline double evaluate(Model &model, const loom::LabeledImages &test) {
  int64_t count = int64_t(test.labels.size()), correct = 0;
  std::vector<int64_t> indices(kBatch);
  for (int64_t start = 0; start < count; start += kBatch) {
    int64_t valid = std::min(kBatch, count - start);
    for (int64_t b = 0; b < kBatch; ++b)
      indices[b] = start + (b < valid ? b : 0);
    fill_batch(model, test, indices);
    model.forward();
    correct += count_correct(model, valid);
  }
  return double(correct) / double(count);
}

} // namespace fashion
