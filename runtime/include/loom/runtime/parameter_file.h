// Loom's versioned parameter file: the named tensors of one model, written atomically and checked on load.
//
// Byte layout, format version 1. All integers are little-endian; offsets are from the start of the file.
//
//   offset  size      field
//   0       8         magic "LOOMPRM\0"
//   8       4         u32 format version (1)
//   12      8         u64 total file size in bytes, trailing checksum included (tells truncation from corruption)
//   20      4         u32 model name length M
//   24      M         model name, UTF-8, no terminator
//   24+M    4         u32 tensor count N
//   then N tensor records, each:
//           4         u32 tensor name length L
//           L         tensor name, UTF-8, no terminator
//           4         u32 element type (1 = f32; the only one in version 1)
//           4         u32 rank R
//           8*R       i64 dimensions, outermost first
//           4*E       f32 values in row-major order, E = product of the dimensions
//   end-4   4         u32 CRC-32 (zlib crc32) of every byte before it
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/runtime/tensor.h"

namespace loom {

inline constexpr uint32_t kParameterFormatVersion = 1;

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct ParameterSet {
  std::string path;  // the file it was loaded from, for error messages
  std::string model_name;
  std::vector<NamedTensor> tensors;

  // nullptr when absent.
  const Tensor* find(std::string_view name) const;
  // Throws loom::Error naming the file and the tensor when absent.
  const Tensor& get(std::string_view name) const;
};

// Expected tensor names with their shapes, in the model's order.
using ParameterShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// Writes atomically: the data goes to "<path>.tmp.<pid>", is fsynced and renamed over `path`, then the directory
// is fsynced. On any failure the previous file at `path` is left untouched and the temporary file is removed.
// Tensor names must be unique and non-empty, and each tensor's data must match its shape.
void save_parameters(const std::string& path, const std::string& model_name, const std::vector<NamedTensor>& tensors);

// Reads and validates a parameter file. Refuses, with a distinct loom::Error message, a missing file, a file that
// is not a Loom parameter file, another format version, a truncated file and a corrupt one.
ParameterSet load_parameters(const std::string& path);

// Throws loom::Error unless `parameters` belongs to `expected_model` and holds exactly the expected tensors with the
// expected shapes. The message lists every missing, unexpected and mis-shaped tensor with both shapes.
void check_parameters_match(const ParameterSet& parameters, const std::string& expected_model,
                            const ParameterShapes& expected);

}  // namespace loom
