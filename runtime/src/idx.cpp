// Reading IDX files through zlib (which passes uncompressed files through unchanged) and assembling Fashion-MNIST.
#include "loom/runtime/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "loom/runtime/errors.h"

namespace loom {
namespace {

constexpr uint8_t kUnsignedByteType = 0x08;
constexpr int64_t kImageSide = 28;

std::string element_type_name(uint8_t code) {
  switch (code) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "16-bit integer";
    case 0x0C:
      return "32-bit integer";
    case 0x0D:
      return "32-bit float";
    case 0x0E:
      return "64-bit float";
    default:
      return "unknown";
  }
}

std::string hex_bytes(const std::vector<uint8_t>& bytes, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < std::min(count, bytes.size()); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, "%02x", bytes[i]);
    text += (i > 0 ? " " : "") + std::string(byte);
  }
  return text;
}

std::vector<uint8_t> read_decompressed(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw Error("IDX file " + in_quotes(path) + " is a directory; pass the path of an IDX file.");
  }
  errno = 0;
  std::unique_ptr<gzFile_s, decltype(&gzclose)> file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file && errno == ENOENT) throw Error("IDX file " + in_quotes(path) + " does not exist; check the path.");
  if (!file) throw Error("Could not open IDX file " + in_quotes(path) + ": " + describe_errno(errno) + ".");

  std::vector<uint8_t> bytes;
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  while (true) {
    const std::size_t filled = bytes.size();
    bytes.resize(filled + kChunk);
    const int count = gzread(file.get(), bytes.data() + filled, static_cast<unsigned>(kChunk));
    if (count < 0) {
      int code = Z_OK;
      const std::string reason = gzerror(file.get(), &code);
      throw Error("IDX file " + in_quotes(path) + " could not be decompressed (" + reason +
                  "): the gzip data is damaged or cut short. Reinstall or download the file again.");
    }
    bytes.resize(filled + static_cast<std::size_t>(count));
    if (count == 0) break;
  }
  // gzclose reports a gzip stream that ended before its trailer, which gzread may have passed over silently.
  const int close_result = gzclose(file.release());
  if (close_result != Z_OK) {
    throw Error("IDX file " + in_quotes(path) + " could not be decompressed: the gzip data is " +
                (close_result == Z_BUF_ERROR ? "cut short" : "damaged") + ". Reinstall or download the file again.");
  }
  return bytes;
}

}  // namespace

IdxArray load_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = read_decompressed(path);
  const std::string file = "IDX file " + in_quotes(path);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[3] == 0) {
    throw Error(file +
                " is not an IDX file: it should start with two zero bytes, an element type and a non-zero "
                "rank, but starts with \"" +
                hex_bytes(bytes, 4) + "\".");
  }
  const uint8_t element_type = bytes[2];
  if (element_type != kUnsignedByteType) {
    throw Error(file + " holds elements of type 0x" + hex_bytes({element_type}, 1) + " (" +
                element_type_name(element_type) + "); Loom reads only unsigned bytes (0x08).");
  }
  const std::size_t rank = bytes[3];
  const std::size_t header_size = 4 + 4 * rank;
  if (bytes.size() < header_size) {
    throw Error(file + " is truncated: its header declares " + std::to_string(rank) + " dimensions (" +
                std::to_string(header_size) + " header bytes), but the file has only " + std::to_string(bytes.size()) +
                " bytes.");
  }
  IdxArray array;
  uint64_t count = 1;
  bool overflow = false;
  for (std::size_t d = 0; d < rank; ++d) {
    const uint8_t* field = bytes.data() + 4 + 4 * d;
    const uint32_t dim = uint32_t{field[0]} << 24 | uint32_t{field[1]} << 16 | uint32_t{field[2]} << 8 | field[3];
    array.dims.push_back(dim);
    overflow |= __builtin_mul_overflow(count, uint64_t{dim}, &count);
  }
  const uint64_t data_size = bytes.size() - header_size;
  if (overflow || count != data_size) {
    const std::string expected = overflow ? std::string("more than 2^64") : std::to_string(count);
    throw Error(file + (count > data_size || overflow ? " is truncated" : " has extra data") +
                ": its header gives dimensions " + shape_string(array.dims) + ", which need " + expected +
                " bytes of data, but " + std::to_string(data_size) + " bytes follow the header.");
  }
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header_size), bytes.end());
  return array;
}

namespace {

LabeledImages load_labeled_images(const std::string& images_path, const std::string& labels_path) {
  const IdxArray images = load_idx(images_path);
  if (images.dims.size() != 3 || images.dims[1] != kImageSide || images.dims[2] != kImageSide) {
    throw Error("IDX file " + in_quotes(images_path) + " has dimensions " + shape_string(images.dims) +
                ", but Fashion-MNIST images are [N, 28, 28]. Check that it is an images file, not a labels file.");
  }
  const IdxArray labels = load_idx(labels_path);
  if (labels.dims.size() != 1) {
    throw Error("IDX file " + in_quotes(labels_path) + " has dimensions " + shape_string(labels.dims) +
                ", but Fashion-MNIST labels are [N]. Check that it is a labels file, not an images file.");
  }
  if (labels.dims[0] != images.dims[0]) {
    throw Error("Fashion-MNIST images file " + in_quotes(images_path) + " holds " + std::to_string(images.dims[0]) +
                " images, but labels file " + in_quotes(labels_path) + " holds " + std::to_string(labels.dims[0]) +
                " labels. The two files must come from the same split; reinstall dataset-fashion-mnist.");
  }

  LabeledImages split;
  split.labels.reserve(labels.data.size());
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= kFashionMnistClassNames.size()) {
      throw Error("Fashion-MNIST labels file " + in_quotes(labels_path) + " has label " +
                  std::to_string(labels.data[i]) + " for example " + std::to_string(i) + ", but there are only " +
                  std::to_string(kFashionMnistClassNames.size()) + " classes (0 to 9). The file is damaged.");
    }
    split.labels.push_back(labels.data[i]);
  }
  split.images = Tensor(images.dims);
  for (std::size_t i = 0; i < images.data.size(); ++i) split.images.data[i] = images.data[i] / 255.0f;
  return split;
}

}  // namespace

FashionMnist load_fashion_mnist(const std::string& directory) {
  const auto path_of = [&](const char* name) { return (std::filesystem::path(directory) / name).string(); };
  const std::string train_images = path_of("train-images-idx3-ubyte.gz");
  const std::string train_labels = path_of("train-labels-idx1-ubyte.gz");
  const std::string test_images = path_of("t10k-images-idx3-ubyte.gz");
  const std::string test_labels = path_of("t10k-labels-idx1-ubyte.gz");
  for (const std::string& path : {train_images, train_labels, test_images, test_labels}) {
    if (!std::filesystem::exists(path)) {
      throw Error("Fashion-MNIST file " + in_quotes(path) +
                  " is missing. Install the Debian package "
                  "dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist), or pass the directory "
                  "that holds the four files.");
    }
  }
  return FashionMnist{load_labeled_images(train_images, train_labels), load_labeled_images(test_images, test_labels)};
}

}  // namespace loom
