// Loader for IDX files (the MNIST family's format), plain or gzip-compressed, and a Fashion-MNIST helper on top.
// IDX layout: bytes 0-1 zero, byte 2 the element type (0x08 = unsigned byte), byte 3 the rank R,
// then R big-endian u32 dimensions, then the elements in row-major order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loom/runtime/tensor.h"

namespace loom {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // row-major, product of dims elements
};

// Reads an unsigned-byte IDX file. gzip-compressed files are recognised by their contents, not their name.
// Throws loom::Error for a missing or unreadable file, a damaged gzip stream, a malformed header, another element
// type, and data that is shorter or longer than the dimensions say.
IdxArray load_idx(const std::string& path);

inline constexpr std::array<std::string_view, 10> kFashionMnistClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

inline constexpr std::string_view kFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

struct LabeledImages {
  Tensor images;                // [N, 28, 28], pixel values scaled to [0, 1]
  std::vector<int32_t> labels;  // N class indices in [0, 10)
};

struct FashionMnist {
  LabeledImages train;  // 60000 examples in the published data set
  LabeledImages test;   // 10000 examples
};

// Loads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz from `directory` (as installed by the Debian package
// dataset-fashion-mnist). A missing file gives an error naming it and the package to install.
FashionMnist load_fashion_mnist(const std::string& directory = std::string(kFashionMnistDirectory));

}  // namespace loom
