// IDX parsing of small generated fixtures, plain and gzipped, and the refusal of malformed ones.
#include "loom/runtime/idx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "loom/runtime/errors.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr unsigned char kUnsignedByte = 0x08;

std::vector<unsigned char> counting_bytes(std::size_t count) {
  std::vector<unsigned char> bytes(count);
  std::iota(bytes.begin(), bytes.end(), static_cast<unsigned char>(0));
  return bytes;
}

class IdxTest : public ::testing::Test {
 protected:
  testing::TemporaryDirectory directory_;
  std::string path_ = directory_.file("array-idx3-ubyte");
};

TEST_F(IdxTest, ReadsPlainFile) {
  testing::write_bytes(path_, testing::idx_bytes(kUnsignedByte, {2, 3, 4}, counting_bytes(24)));
  const IdxArray array = load_idx(path_);
  EXPECT_THAT(array.dims, ElementsAre(2, 3, 4));
  EXPECT_EQ(array.data, counting_bytes(24));
}

TEST_F(IdxTest, ReadsGzipFile) {
  testing::write_gzip(path_ + ".gz", testing::idx_bytes(kUnsignedByte, {5}, {9, 8, 7, 6, 5}));
  const IdxArray array = load_idx(path_ + ".gz");
  EXPECT_THAT(array.dims, ElementsAre(5));
  EXPECT_THAT(array.data, ElementsAre(9, 8, 7, 6, 5));
}

TEST_F(IdxTest, ReadsDimensionsAbove255BigEndian) {
  testing::write_bytes(path_, testing::idx_bytes(kUnsignedByte, {300, 1}, counting_bytes(300)));
  EXPECT_THAT(load_idx(path_).dims, ElementsAre(300, 1));
}

TEST_F(IdxTest, MissingFileIsRefused) {
  EXPECT_THAT([&] { load_idx(path_); }, ThrowsMessage<Error>(HasSubstr("'" + path_ + "' does not exist")));
}

TEST_F(IdxTest, FileWithoutZeroMagicIsRefused) {
  testing::write_bytes(path_, {'h', 'e', 'l', 'l', 'o'});
  EXPECT_THAT([&] { load_idx(path_); },
              ThrowsMessage<Error>(AllOf(HasSubstr("is not an IDX file"), HasSubstr("starts with \"68 65 6c 6c\""))));
}

TEST_F(IdxTest, ZeroRankIsRefused) {
  testing::write_bytes(path_, {0, 0, kUnsignedByte, 0});
  EXPECT_THAT([&] { load_idx(path_); }, ThrowsMessage<Error>(HasSubstr("is not an IDX file")));
}

TEST_F(IdxTest, OtherElementTypeIsRefusedByName) {
  testing::write_bytes(path_, testing::idx_bytes(0x0D, {1}, {0, 0, 0, 0}));
  EXPECT_THAT([&] { load_idx(path_); },
              ThrowsMessage<Error>(HasSubstr("holds elements of type 0x0d (32-bit float); Loom reads only unsigned "
                                             "bytes (0x08)")));
}

TEST_F(IdxTest, HeaderCutShortIsRefused) {
  std::vector<unsigned char> bytes = testing::idx_bytes(kUnsignedByte, {2, 3, 4}, {});
  bytes.resize(10);
  testing::write_bytes(path_, bytes);
  EXPECT_THAT([&] { load_idx(path_); },
              ThrowsMessage<Error>(HasSubstr("is truncated: its header declares 3 dimensions (16 header bytes), but "
                                             "the file has only 10 bytes")));
}

TEST_F(IdxTest, DataShorterThanDimensionsIsTruncated) {
  testing::write_gzip(path_, testing::idx_bytes(kUnsignedByte, {2, 3, 4}, counting_bytes(20)));
  EXPECT_THAT([&] { load_idx(path_); },
              ThrowsMessage<Error>(HasSubstr("is truncated: its header gives dimensions [2, 3, 4], which need 24 "
                                             "bytes of data, but 20 bytes follow the header")));
}

TEST_F(IdxTest, DataLongerThanDimensionsIsRefused) {
  testing::write_bytes(path_, testing::idx_bytes(kUnsignedByte, {2, 2}, counting_bytes(5)));
  EXPECT_THAT([&] { load_idx(path_); },
              ThrowsMessage<Error>(HasSubstr("has extra data: its header gives dimensions [2, 2], which need 4 bytes "
                                             "of data, but 5 bytes follow the header")));
}

TEST_F(IdxTest, GzipStreamCutShortIsRefused) {
  testing::write_gzip(path_, testing::idx_bytes(kUnsignedByte, {64, 64}, counting_bytes(4096)));
  std::vector<unsigned char> compressed = testing::read_bytes(path_);
  compressed.resize(compressed.size() / 2);
  testing::write_bytes(path_, compressed);
  EXPECT_THAT([&] { load_idx(path_); }, ThrowsMessage<Error>(HasSubstr("could not be decompressed")));
}

TEST_F(IdxTest, DamagedGzipStreamIsRefused) {
  testing::write_gzip(path_, testing::idx_bytes(kUnsignedByte, {64, 64}, counting_bytes(4096)));
  std::vector<unsigned char> compressed = testing::read_bytes(path_);
  // The gzip trailer is the CRC-32 and then the length of the uncompressed data; this damages the CRC-32.
  compressed[compressed.size() - 5] ^= 0xFF;
  testing::write_bytes(path_, compressed);
  EXPECT_THAT([&] { load_idx(path_); }, ThrowsMessage<Error>(HasSubstr("could not be decompressed")));
}

}  // namespace
}  // namespace loom
