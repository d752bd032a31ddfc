// Parameter files: round trips, the documented byte layout, every refusal on load (checked by its message) and
// the check that a file belongs to the model that loads it.
#include "loom/runtime/parameter_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <bit>
#include <cstring>
#include <limits>

#include "loom/runtime/errors.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<NamedTensor> example_tensors() {
  return {
      {"lstm.weight_ih", Tensor({2, 3}, {1.5f, -2.0f, 0.0f, 3.25f, -0.0f, 1e-30f})},
      {"lstm.bias", Tensor({4}, {0.1f, 0.2f, 0.3f, 0.4f})},
      {"scale", Tensor(std::vector<int64_t>{}, {42.0f})},
      {"empty", Tensor({0, 5})},
  };
}

void put_u32(std::vector<unsigned char>& bytes, std::size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<unsigned char>(value >> (8 * i));
}

void put_u64(std::vector<unsigned char>& bytes, std::size_t offset, uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[offset + i] = static_cast<unsigned char>(value >> (8 * i));
}

uint32_t get_u32(const std::vector<unsigned char>& bytes, std::size_t offset) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t{bytes[offset + i]} << (8 * i);
  return value;
}

// Recomputes the trailing CRC-32 so that a deliberately edited file passes the checksum test.
void reseal(std::vector<unsigned char>& bytes) {
  put_u32(bytes, bytes.size() - 4, static_cast<uint32_t>(crc32(0, bytes.data(), static_cast<uInt>(bytes.size() - 4))));
}

class ParameterFileTest : public ::testing::Test {
 protected:
  // A single-tensor file whose offsets the tests below edit:
  // 0 magic, 8 version, 12 size, 20 name length, 24 "toy", 27 count, 31 name length, 35 "w", 36 type, 40 rank,
  // 44 dims [2, 3], 60 data (24 bytes), 84 checksum.
  std::vector<unsigned char> saved_single_tensor_file() {
    save_parameters(path_, "toy", {{"w", Tensor({2, 3}, {1, 2, 3, 4, 5, 6})}});
    return testing::read_bytes(path_);
  }

  testing::TemporaryDirectory directory_;
  std::string path_ = directory_.file("params.loom");
};

TEST_F(ParameterFileTest, RoundTripKeepsNamesShapesAndExactValues) {
  const std::vector<NamedTensor> saved = example_tensors();
  save_parameters(path_, "fashion_rnn", saved);
  const ParameterSet loaded = load_parameters(path_);
  EXPECT_EQ(loaded.model_name, "fashion_rnn");
  EXPECT_EQ(loaded.path, path_);
  ASSERT_EQ(loaded.tensors.size(), saved.size());
  for (std::size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(loaded.tensors[i].name, saved[i].name);
    EXPECT_EQ(loaded.tensors[i].tensor.shape, saved[i].tensor.shape);
    ASSERT_EQ(loaded.tensors[i].tensor.data.size(), saved[i].tensor.data.size());
    // Bitwise, so -0.0 and denormals must survive too.
    for (std::size_t j = 0; j < saved[i].tensor.data.size(); ++j) {
      EXPECT_EQ(std::bit_cast<uint32_t>(loaded.tensors[i].tensor.data[j]),
                std::bit_cast<uint32_t>(saved[i].tensor.data[j]))
          << saved[i].name << " value " << j;
    }
  }
}

TEST_F(ParameterFileTest, FileFollowsTheDocumentedLayout) {
  const std::vector<unsigned char> bytes = saved_single_tensor_file();
  ASSERT_EQ(bytes.size(), 88u);
  EXPECT_EQ(std::memcmp(bytes.data(), "LOOMPRM\0", 8), 0);
  EXPECT_EQ(get_u32(bytes, 8), 1u);
  EXPECT_EQ(get_u32(bytes, 12), 88u);
  EXPECT_EQ(get_u32(bytes, 20), 3u);
  EXPECT_EQ(std::memcmp(bytes.data() + 24, "toy", 3), 0);
  EXPECT_EQ(get_u32(bytes, 27), 1u);
  EXPECT_EQ(get_u32(bytes, 36), 1u);  // f32
  EXPECT_EQ(get_u32(bytes, 40), 2u);
  EXPECT_EQ(get_u32(bytes, 44), 2u);
  EXPECT_EQ(get_u32(bytes, 52), 3u);
  float first = 0;
  std::memcpy(&first, bytes.data() + 60, 4);
  EXPECT_EQ(first, 1.0f);
  EXPECT_EQ(get_u32(bytes, 84), static_cast<uint32_t>(crc32(0, bytes.data(), 84)));
}

TEST_F(ParameterFileTest, GetFindsTensorsByName) {
  save_parameters(path_, "fashion_rnn", example_tensors());
  const ParameterSet loaded = load_parameters(path_);
  EXPECT_EQ(loaded.get("lstm.bias").data[2], 0.3f);
  EXPECT_EQ(loaded.find("missing"), nullptr);
  EXPECT_THAT([&] { (void)loaded.get("missing"); },
              ThrowsMessage<Error>(HasSubstr("(model 'fashion_rnn') has no tensor named 'missing'")));
}

TEST_F(ParameterFileTest, MissingFileIsRefused) {
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + path_ + "' does not exist"), HasSubstr("train the model"))));
}

TEST_F(ParameterFileTest, FileWithoutTheMagicNumberIsRefused) {
  testing::write_bytes(path_, {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("'" + path_ + "' is not a Loom parameter file")));
}

TEST_F(ParameterFileTest, OtherFormatVersionIsRefusedWithBothVersions) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  put_u32(bytes, 8, 2);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("was written by format version 2; this Loom reads version 1."),
                                         HasSubstr("Loom release that wrote it"))));
}

TEST_F(ParameterFileTest, EmptyFileIsTruncatedInTheMagicNumber) {
  testing::write_bytes(path_, {});
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("is truncated: it ends inside the magic number, which needs 8 bytes but "
                                             "only 0 are present")));
}

TEST_F(ParameterFileTest, FileCutInTheHeaderNamesTheField) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  bytes.resize(10);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("is truncated: it ends inside the format version, which needs 4 bytes "
                                             "but only 2 are present")));
}

TEST_F(ParameterFileTest, FileCutInTensorDataNamesTheTensorAndTheByteCounts) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  bytes.resize(70);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("is truncated: it ends inside the data of tensor 'w' with shape "
                                                   "[2, 3], which needs 24 bytes but only 10 are present"),
                                         HasSubstr("The file has 70 bytes, but its header says 88"))));
}

TEST_F(ParameterFileTest, FileCutInTheChecksumSaysSo) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  bytes.resize(bytes.size() - 1);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("it ends inside the trailing checksum, which needs 4 bytes but only 3")));
}

TEST_F(ParameterFileTest, FlippedDataBitIsReportedAsCorrupt) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  bytes[65] ^= 0x10;
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("is corrupt: its contents have CRC-32 checksum"),
                                         HasSubstr("Restore it from a good copy"))));
}

TEST_F(ParameterFileTest, AppendedBytesAreReportedAsCorrupt) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  bytes.push_back(0);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("is corrupt: it has 89 bytes, but its header says 88")));
}

TEST_F(ParameterFileTest, ImpossiblySmallSizeFieldIsReportedAsCorrupt) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  put_u64(bytes, 12, 20);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("is corrupt: its header gives a size of 20 bytes, less than the 32 of an "
                                             "empty parameter file")));
}

// A dimension of 2^40 claims 4 TiB of data; loading must refuse it without trying to allocate that much
// (an attempt would surface as std::bad_alloc, not loom::Error).
TEST_F(ParameterFileTest, AbsurdDimensionIsRefusedWithoutAllocating) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  put_u64(bytes, 44, uint64_t{1} << 40);
  reseal(bytes);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("is malformed"),
                                         HasSubstr("the data of tensor 'w' with shape [1099511627776, 3] needs "
                                                   "13194139533312 bytes but only 24 remain"))));
}

TEST_F(ParameterFileTest, AbsurdRankIsRefusedWithoutAllocating) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  put_u32(bytes, 40, std::numeric_limits<uint32_t>::max());
  reseal(bytes);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("the dimensions of tensor 'w' needs 34359738360 bytes but only 40")));
}

TEST_F(ParameterFileTest, AbsurdTensorCountIsRefused) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  put_u32(bytes, 27, 4000000000u);
  reseal(bytes);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("is malformed"), HasSubstr("tensor 2 of 4000000000"))));
}

TEST_F(ParameterFileTest, UnknownElementTypeIsRefused) {
  std::vector<unsigned char> bytes = saved_single_tensor_file();
  put_u32(bytes, 36, 7);
  reseal(bytes);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_parameters(path_); },
              ThrowsMessage<Error>(HasSubstr("tensor 'w' has element type code 7, but format version 1 knows only "
                                             "f32 (code 1)")));
}

TEST_F(ParameterFileTest, SaveRefusesDataThatDoesNotMatchTheShape) {
  Tensor inconsistent({2, 2});
  inconsistent.data.resize(3);
  EXPECT_THAT(
      [&] {
        save_parameters(path_, "toy", {{"w", inconsistent}});
      },
      ThrowsMessage<Error>(HasSubstr("tensor 'w' has shape [2, 2] (4 values) but holds 3 values")));
  EXPECT_TRUE(directory_.entries().empty());
}

TEST_F(ParameterFileTest, SaveRefusesDuplicateNames) {
  EXPECT_THAT(
      [&] {
        save_parameters(path_, "toy", {{"w", Tensor({1})}, {"w", Tensor({2})}});
      },
      ThrowsMessage<Error>(HasSubstr("tensor name 'w' appears twice")));
}

TEST_F(ParameterFileTest, FileOfAnotherModelIsRefusedNamingBothModels) {
  save_parameters(path_, "char_rnn", {{"w", Tensor({2, 3})}});
  const ParameterSet loaded = load_parameters(path_);
  EXPECT_THAT(
      [&] {
        check_parameters_match(loaded, "fashion_rnn", {{"w", {2, 3}}});
      },
      ThrowsMessage<Error>(HasSubstr("holds parameters of model 'char_rnn', not of model 'fashion_rnn'")));
}

TEST_F(ParameterFileTest, MismatchNamesEveryTensorAndBothShapes) {
  save_parameters(path_, "fashion_rnn", {{"w", Tensor({2, 3})}, {"b", Tensor({3})}, {"old", Tensor({1})}});
  const ParameterSet loaded = load_parameters(path_);
  EXPECT_THAT(
      [&] {
        check_parameters_match(loaded, "fashion_rnn", {{"w", {3, 2}}, {"b", {3}}, {"h0", {4}}});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("does not match model 'fashion_rnn'"),
                                 HasSubstr("tensor 'w' has shape [2, 3] in the file, but the model expects [3, 2]"),
                                 HasSubstr("tensor 'h0' is missing (the model expects shape [4])"),
                                 HasSubstr("tensor 'old' with shape [1] is in the file but not in the model"))));
}

TEST_F(ParameterFileTest, MatchingFilePassesTheCheck) {
  save_parameters(path_, "fashion_rnn", {{"w", Tensor({2, 3})}, {"b", Tensor({3})}});
  EXPECT_NO_THROW(check_parameters_match(load_parameters(path_), "fashion_rnn", {{"b", {3}}, {"w", {2, 3}}}));
}

}  // namespace
}  // namespace loom
