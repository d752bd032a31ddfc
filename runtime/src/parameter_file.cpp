// Writing and reading Loom parameter files (layout in parameter_file.h), with atomic replacement on save and
// distinct, actionable refusals on load.
#include "loom/runtime/parameter_file.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <type_traits>

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"

namespace loom {
namespace {

constexpr std::array<unsigned char, 8> kMagic = {'L', 'O', 'O', 'M', 'P', 'R', 'M', '\0'};
constexpr uint32_t kFloat32Code = 1;
// Magic, version and total size: what must be read before the rest of the header can be trusted.
constexpr uint64_t kFixedHeaderSize = 8 + 4 + 8;
constexpr uint64_t kChecksumSize = 4;

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

uint32_t file_crc32(std::span<const unsigned char> bytes) {
  return static_cast<uint32_t>(crc32_z(crc32_z(0, nullptr, 0), bytes.data(), bytes.size()));
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

// Buffers little-endian fields and checksums them on their way into the file.
class ChecksummedWriter {
 public:
  explicit ChecksummedWriter(AtomicFile& file) : file_(file) { buffer_.reserve(kBufferSize); }

  void bytes(const void* data, std::size_t size) {
    const auto* input = static_cast<const unsigned char*>(data);
    while (size > 0) {
      const std::size_t chunk = std::min(size, kBufferSize - buffer_.size());
      buffer_.insert(buffer_.end(), input, input + chunk);
      input += chunk;
      size -= chunk;
      if (buffer_.size() == kBufferSize) flush();
    }
  }

  template <class Integer>
  void integer(Integer value) {
    unsigned char encoded[sizeof(Integer)];
    auto bits = static_cast<std::make_unsigned_t<Integer>>(value);
    for (std::size_t i = 0; i < sizeof(Integer); ++i) encoded[i] = static_cast<unsigned char>(bits >> (8 * i));
    bytes(encoded, sizeof encoded);
  }

  void string(const std::string& text) {
    integer(static_cast<uint32_t>(text.size()));
    bytes(text.data(), text.size());
  }

  void floats(std::span<const float> values) {
    if constexpr (std::endian::native == std::endian::little) {
      bytes(values.data(), values.size_bytes());
    } else {
      for (float value : values) integer(std::bit_cast<uint32_t>(value));
    }
  }

  // Appends the CRC-32 of everything written so far, which the checksum itself does not cover.
  void finish_with_checksum() {
    flush();
    const uint32_t checksum = static_cast<uint32_t>(crc_);
    integer(checksum);
    write_buffer();
  }

 private:
  static constexpr std::size_t kBufferSize = std::size_t{1} << 20;

  void flush() {
    crc_ = crc32_z(crc_, buffer_.data(), buffer_.size());
    write_buffer();
  }

  void write_buffer() {
    file_.write(buffer_.data(), buffer_.size());
    buffer_.clear();
  }

  AtomicFile& file_;
  std::vector<unsigned char> buffer_;
  uLong crc_ = crc32_z(0, nullptr, 0);
};

void check_saveable(const std::string& path, const std::string& model_name, const std::vector<NamedTensor>& tensors) {
  const std::string what = "Cannot save parameter file " + in_quotes(path) + ": ";
  constexpr auto kMaxLength = std::numeric_limits<uint32_t>::max();
  if (model_name.empty() || model_name.size() > kMaxLength) {
    throw Error(what + "the model name must be between 1 and " + std::to_string(kMaxLength) + " bytes long.");
  }
  if (tensors.size() > kMaxLength) throw Error(what + "more than " + std::to_string(kMaxLength) + " tensors.");
  std::set<std::string_view> seen;
  for (const NamedTensor& named : tensors) {
    if (named.name.empty() || named.name.size() > kMaxLength) {
      throw Error(what + "every tensor needs a name between 1 and " + std::to_string(kMaxLength) + " bytes long.");
    }
    if (!seen.insert(named.name).second) {
      throw Error(what + "tensor name " + in_quotes(named.name) + " appears twice; names must be unique.");
    }
    const int64_t expected = element_count(named.tensor.shape);
    if (expected != named.tensor.element_count()) {
      throw Error(what + "tensor " + in_quotes(named.name) + " has shape " + named.tensor.shape_string() + " (" +
                  std::to_string(expected) + " values) but holds " + std::to_string(named.tensor.element_count()) +
                  " values.");
    }
  }
}

uint64_t file_size_of(const std::string& model_name, const std::vector<NamedTensor>& tensors) {
  uint64_t size = kFixedHeaderSize + 4 + model_name.size() + 4;
  for (const NamedTensor& named : tensors) {
    size += 4 + named.name.size() + 4 + 4 + 8 * named.tensor.shape.size() + 4 * named.tensor.data.size();
  }
  return size + kChecksumSize;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

// Thrown by Cursor when a field runs past the end of the bytes; load_parameters decides whether that means a
// truncated file or a malformed one.
struct Overrun {
  std::string part;
  uint64_t needed;
  uint64_t present;
};

// Thrown for contents that are well-sized but invalid (bad element type, negative dimension, duplicate name).
struct Malformed {
  std::string reason;
};

// Reads little-endian fields, checking each against the bytes that remain before anything is allocated.
class Cursor {
 public:
  explicit Cursor(std::span<const unsigned char> bytes) : bytes_(bytes) {}

  std::span<const unsigned char> take(uint64_t size, const std::string& part) {
    if (size > remaining()) throw Overrun{part, size, remaining()};
    const auto taken = bytes_.subspan(position_, static_cast<std::size_t>(size));
    position_ += static_cast<std::size_t>(size);
    return taken;
  }

  template <class Integer>
  Integer integer(const std::string& part) {
    const auto encoded = take(sizeof(Integer), part);
    std::make_unsigned_t<Integer> bits = 0;
    for (std::size_t i = 0; i < sizeof(Integer); ++i) {
      bits |= static_cast<std::make_unsigned_t<Integer>>(encoded[i]) << (8 * i);
    }
    return static_cast<Integer>(bits);
  }

  std::string string(const std::string& part) {
    const auto length = integer<uint32_t>("the length of " + part);
    const auto text = take(length, part);
    return std::string(text.begin(), text.end());
  }

  uint64_t remaining() const { return bytes_.size() - position_; }

 private:
  std::span<const unsigned char> bytes_;
  std::size_t position_ = 0;
};

// Parses everything after the fixed header up to, but not including, the checksum.
ParameterSet parse_contents(Cursor& cursor) {
  ParameterSet parameters;
  parameters.model_name = cursor.string("the model name");
  const auto tensor_count = cursor.integer<uint32_t>("the tensor count");
  std::set<std::string> seen;
  for (uint32_t t = 0; t < tensor_count; ++t) {
    const std::string ordinal = "tensor " + std::to_string(t + 1) + " of " + std::to_string(tensor_count);
    NamedTensor named;
    named.name = cursor.string("the name of " + ordinal);
    const std::string label = "tensor " + in_quotes(named.name);
    if (!seen.insert(named.name).second) throw Malformed{label + " appears twice"};
    const auto element_type = cursor.integer<uint32_t>("the element type of " + label);
    if (element_type != kFloat32Code) {
      throw Malformed{label + " has element type code " + std::to_string(element_type) +
                      ", but format version 1 knows only f32 (code 1)"};
    }
    const auto rank = cursor.integer<uint32_t>("the rank of " + label);
    // Taking the whole list first checks its size before room for it is allocated.
    Cursor dimensions(cursor.take(uint64_t{rank} * 8, "the dimensions of " + label));
    named.tensor.shape.resize(rank);
    for (int64_t& dim : named.tensor.shape) {
      dim = dimensions.integer<int64_t>("the dimensions of " + label);
      if (dim < 0) throw Malformed{label + " has a negative dimension " + std::to_string(dim)};
    }
    const std::string data_part = "the data of " + label + " with shape " + named.tensor.shape_string();
    uint64_t count = 1;
    bool overflow = false;
    for (int64_t dim : named.tensor.shape) overflow |= __builtin_mul_overflow(count, uint64_t(dim), &count);
    uint64_t data_size = 0;
    overflow |= __builtin_mul_overflow(count, uint64_t{4}, &data_size);
    if (overflow) throw Malformed{label + " has shape " + named.tensor.shape_string() + ", too many elements to count"};
    // take() checks the size against the bytes present, so a corrupt shape never causes a huge allocation.
    const auto values = cursor.take(data_size, data_part);
    named.tensor.data.resize(static_cast<std::size_t>(count));
    if constexpr (std::endian::native == std::endian::little) {
      std::copy(values.begin(), values.end(), reinterpret_cast<unsigned char*>(named.tensor.data.data()));
    } else {
      for (std::size_t i = 0; i < count; ++i) {
        uint32_t bits = 0;
        for (int b = 0; b < 4; ++b) bits |= uint32_t{values[4 * i + b]} << (8 * b);
        named.tensor.data[i] = std::bit_cast<float>(bits);
      }
    }
    parameters.tensors.push_back(std::move(named));
  }
  return parameters;
}

// `declared_size` is nullopt when the file ends before its size field.
std::string truncated_message(const std::string& path, uint64_t actual_size, std::optional<uint64_t> declared_size,
                              const std::string& where) {
  return "Parameter file " + in_quotes(path) + " is truncated: " + where + ". The file has " +
         std::to_string(actual_size) + " bytes" +
         (declared_size ? ", but its header says " + std::to_string(*declared_size) : std::string()) +
         ". It was cut short (for example by an interrupted copy or a full disk); restore it from a good copy or "
         "train the model again.";
}

std::string overrun_text(const Overrun& overrun) {
  return "it ends inside " + overrun.part + ", which needs " + std::to_string(overrun.needed) + " bytes but only " +
         std::to_string(overrun.present) + " are present";
}

// A file shorter than its header says: find the first part that is cut, to tell the user where it ends.
[[noreturn]] void throw_truncated(const std::string& path, std::span<const unsigned char> bytes,
                                  uint64_t declared_size) {
  Cursor cursor(bytes.subspan(kFixedHeaderSize));
  std::string where = "it ends before its last " + std::to_string(declared_size - bytes.size()) + " bytes";
  try {
    parse_contents(cursor);
    cursor.take(kChecksumSize, "the trailing checksum");
  } catch (const Overrun& overrun) {
    where = overrun_text(overrun);
  } catch (const Malformed&) {
    // The part that is present is itself damaged; the size comparison is the most reliable description.
  }
  throw Error(truncated_message(path, bytes.size(), declared_size, where));
}

// How messages name a parameter set: by its file when it came from one.
std::string describe(const ParameterSet& parameters) {
  return parameters.path.empty() ? std::string("The parameter set") : "Parameter file " + in_quotes(parameters.path);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

const Tensor* ParameterSet::find(std::string_view name) const {
  for (const NamedTensor& named : tensors) {
    if (named.name == name) return &named.tensor;
  }
  return nullptr;
}

const Tensor& ParameterSet::get(std::string_view name) const {
  if (const Tensor* tensor = find(name)) return *tensor;
  throw Error(describe(*this) + " (model " + in_quotes(model_name) + ") has no tensor named " + in_quotes(name) + ".");
}

void save_parameters(const std::string& path, const std::string& model_name, const std::vector<NamedTensor>& tensors) {
  check_saveable(path, model_name, tensors);
  AtomicFile file(path, "parameter file");
  ChecksummedWriter writer(file);
  writer.bytes(kMagic.data(), kMagic.size());
  writer.integer(kParameterFormatVersion);
  writer.integer(file_size_of(model_name, tensors));
  writer.string(model_name);
  writer.integer(static_cast<uint32_t>(tensors.size()));
  for (const NamedTensor& named : tensors) {
    writer.string(named.name);
    writer.integer(kFloat32Code);
    writer.integer(static_cast<uint32_t>(named.tensor.shape.size()));
    for (int64_t dim : named.tensor.shape) writer.integer(dim);
    writer.floats(named.tensor.data);
  }
  writer.finish_with_checksum();
  file.commit();
}

ParameterSet load_parameters(const std::string& path) {
  const std::string bytes = read_file(path, "parameter file", "Check the path, or train the model to create it.");
  const std::span<const unsigned char> all(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());

  const std::size_t magic_present = std::min(bytes.size(), kMagic.size());
  if (!std::equal(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(magic_present), kMagic.begin())) {
    throw Error("File " + in_quotes(path) +
                " is not a Loom parameter file: it does not start with the magic bytes "
                "\"LOOMPRM\\0\". Pass a file written by Loom's save_parameters.");
  }
  Cursor header(all);
  uint64_t declared_size = 0;
  try {
    header.take(kMagic.size(), "the magic number");
    const auto version = header.integer<uint32_t>("the format version");
    if (version != kParameterFormatVersion) {
      throw Error("Parameter file " + in_quotes(path) + " was written by format version " + std::to_string(version) +
                  "; this Loom reads version " + std::to_string(kParameterFormatVersion) +
                  ". Load it with the Loom release that wrote it and save it again with this one, or train the "
                  "model again.");
    }
    declared_size = header.integer<uint64_t>("the file size field");
  } catch (const Overrun& overrun) {
    throw Error(truncated_message(path, bytes.size(), std::nullopt, overrun_text(overrun)));
  }

  // The smallest valid file: fixed header, empty model name, tensor count and checksum.
  constexpr uint64_t kSmallestFileSize = kFixedHeaderSize + 4 + 4 + kChecksumSize;
  if (declared_size < kSmallestFileSize) {
    throw Error("Parameter file " + in_quotes(path) + " is corrupt: its header gives a size of " +
                std::to_string(declared_size) + " bytes, less than the " + std::to_string(kSmallestFileSize) +
                " of an empty parameter file. Restore it from a good copy or train the model again.");
  }
  if (bytes.size() < declared_size) throw_truncated(path, all, declared_size);
  if (bytes.size() > declared_size) {
    throw Error("Parameter file " + in_quotes(path) + " is corrupt: it has " + std::to_string(bytes.size()) +
                " bytes, but its header says " + std::to_string(declared_size) +
                ". Restore it from a good copy or train the model again.");
  }
  const uint32_t stored_checksum = Cursor(all.last(kChecksumSize)).integer<uint32_t>("the trailing checksum");
  const uint32_t actual_checksum = file_crc32(all.first(bytes.size() - kChecksumSize));
  if (stored_checksum != actual_checksum) {
    throw Error("Parameter file " + in_quotes(path) + " is corrupt: its contents have CRC-32 checksum " +
                hex32(actual_checksum) + ", but the file records " + hex32(stored_checksum) +
                ". Restore it from a good copy or train the model again.");
  }

  const std::string malformed = "Parameter file " + in_quotes(path) +
                                " is malformed although its size and checksum "
                                "are consistent, so it was not written by a correct Loom: ";
  Cursor contents(all.subspan(kFixedHeaderSize, bytes.size() - kFixedHeaderSize - kChecksumSize));
  ParameterSet parameters;
  try {
    parameters = parse_contents(contents);
  } catch (const Overrun& overrun) {
    throw Error(malformed + overrun.part + " needs " + std::to_string(overrun.needed) + " bytes but only " +
                std::to_string(overrun.present) + " remain.");
  } catch (const Malformed& problem) {
    throw Error(malformed + problem.reason + ".");
  }
  if (contents.remaining() != 0) {
    throw Error(malformed + std::to_string(contents.remaining()) + " bytes follow the last tensor.");
  }
  parameters.path = path;
  return parameters;
}

void check_parameters_match(const ParameterSet& parameters, const std::string& expected_model,
                            const ParameterShapes& expected) {
  const std::string source = describe(parameters);
  if (parameters.model_name != expected_model) {
    throw Error(source + " holds parameters of model " + in_quotes(parameters.model_name) + ", not of model " +
                in_quotes(expected_model) + ". Pass a parameter file saved by model " + in_quotes(expected_model) +
                ".");
  }
  std::string problems;
  std::set<std::string_view> expected_names;
  for (const auto& [name, shape] : expected) {
    expected_names.insert(name);
    const Tensor* tensor = parameters.find(name);
    if (tensor == nullptr) {
      problems += "\n  tensor " + in_quotes(name) + " is missing (the model expects shape " + shape_string(shape) + ")";
    } else if (tensor->shape != shape) {
      problems += "\n  tensor " + in_quotes(name) + " has shape " + tensor->shape_string() +
                  " in the file, but the model expects " + shape_string(shape);
    }
  }
  for (const NamedTensor& named : parameters.tensors) {
    if (!expected_names.contains(named.name)) {
      problems += "\n  tensor " + in_quotes(named.name) + " with shape " + named.tensor.shape_string() +
                  " is in the file but not in the model";
    }
  }
  if (!problems.empty()) {
    throw Error(source + " does not match model " + in_quotes(expected_model) + ":" + problems +
                "\nIt was probably saved by another configuration of the model; pass the file saved with this "
                "configuration or train again.");
  }
}

}  // namespace loom
