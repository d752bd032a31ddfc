// Fashion-MNIST loading: small generated data sets in the installed layout, their refusals, and the real data set
// when the Debian package dataset-fashion-mnist is installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "loom/runtime/errors.h"
#include "loom/runtime/idx.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr unsigned char kUnsignedByte = 0x08;
constexpr uint32_t kPixels = 28 * 28;

// `count` images whose pixels all equal 51 times the image index (so 0, 0.2, 0.4, ... after scaling).
std::vector<unsigned char> images_file(std::size_t count, uint32_t width = 28) {
  std::vector<unsigned char> pixels;
  for (std::size_t i = 0; i < count; ++i) pixels.insert(pixels.end(), 28 * width, static_cast<unsigned char>(51 * i));
  return testing::idx_bytes(kUnsignedByte, {static_cast<uint32_t>(count), 28, width}, pixels);
}

std::vector<unsigned char> labels_file(const std::vector<unsigned char>& labels) {
  return testing::idx_bytes(kUnsignedByte, {static_cast<uint32_t>(labels.size())}, labels);
}

class FashionMnistTest : public ::testing::Test {
 protected:
  void write_data_set(const std::vector<unsigned char>& train_images, const std::vector<unsigned char>& train_labels) {
    testing::write_gzip(directory_.file("train-images-idx3-ubyte.gz"), train_images);
    testing::write_gzip(directory_.file("train-labels-idx1-ubyte.gz"), train_labels);
    testing::write_gzip(directory_.file("t10k-images-idx3-ubyte.gz"), images_file(2));
    testing::write_gzip(directory_.file("t10k-labels-idx1-ubyte.gz"), labels_file({9, 0}));
  }

  testing::TemporaryDirectory directory_;
};

TEST_F(FashionMnistTest, LoadsBothSplitsWithPixelsScaledToUnitRange) {
  write_data_set(images_file(3), labels_file({9, 0, 3}));
  const FashionMnist data = load_fashion_mnist(directory_.path().string());
  EXPECT_EQ(data.train.images.shape, (std::vector<int64_t>{3, 28, 28}));
  EXPECT_THAT(data.train.labels, ElementsAre(9, 0, 3));
  EXPECT_EQ(data.train.images.at(0, 5, 5), 0.0f);
  EXPECT_FLOAT_EQ(data.train.images.at(1, 27, 0), 0.2f);
  EXPECT_FLOAT_EQ(data.train.images.at(2, 0, 27), 0.4f);
  EXPECT_EQ(data.test.images.shape, (std::vector<int64_t>{2, 28, 28}));
  EXPECT_THAT(data.test.labels, ElementsAre(9, 0));
}

TEST_F(FashionMnistTest, MissingFileNamesItAndThePackageToInstall) {
  write_data_set(images_file(3), labels_file({9, 0, 3}));
  std::filesystem::remove(directory_.file("t10k-labels-idx1-ubyte.gz"));
  EXPECT_THAT([&] { load_fashion_mnist(directory_.path().string()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + directory_.file("t10k-labels-idx1-ubyte.gz") + "'"),
                                         HasSubstr("Debian package dataset-fashion-mnist (sudo apt-get "
                                                   "install dataset-fashion-mnist)"))));
}

TEST_F(FashionMnistTest, ImageAndLabelCountsMustAgree) {
  write_data_set(images_file(3), labels_file({9, 0}));
  EXPECT_THAT([&] { load_fashion_mnist(directory_.path().string()); },
              ThrowsMessage<Error>(HasSubstr("holds 3 images, but labels file")));
}

TEST_F(FashionMnistTest, LabelOutsideTheTenClassesIsRefused) {
  write_data_set(images_file(3), labels_file({9, 10, 3}));
  EXPECT_THAT([&] { load_fashion_mnist(directory_.path().string()); },
              ThrowsMessage<Error>(HasSubstr("has label 10 for example 1, but there are only 10 classes")));
}

TEST_F(FashionMnistTest, ImagesMustBe28By28) {
  write_data_set(images_file(3, 27), labels_file({9, 0, 3}));
  EXPECT_THAT([&] { load_fashion_mnist(directory_.path().string()); },
              ThrowsMessage<Error>(HasSubstr("has dimensions [3, 28, 27], but Fashion-MNIST images are [N, 28, 28]")));
}

TEST_F(FashionMnistTest, SwappedImagesAndLabelsAreRefused) {
  write_data_set(labels_file({9, 0, 3}), images_file(3));
  EXPECT_THAT([&] { load_fashion_mnist(directory_.path().string()); },
              ThrowsMessage<Error>(HasSubstr("Check that it is an images file, not a labels file.")));
}

TEST(FashionMnistClassNames, FollowTheDataSetOrder) {
  EXPECT_EQ(kFashionMnistClassNames.front(), "T-shirt/top");
  EXPECT_EQ(kFashionMnistClassNames[6], "Shirt");
  EXPECT_EQ(kFashionMnistClassNames.back(), "Ankle boot");
}

// The published data set, as installed by the Debian package.
TEST(InstalledFashionMnist, HasTheKnownSizesAndFirstLabels) {
  if (!std::filesystem::is_directory(std::string(kFashionMnistDirectory))) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const FashionMnist data = load_fashion_mnist();
  EXPECT_EQ(data.train.images.shape, (std::vector<int64_t>{60000, 28, 28}));
  EXPECT_EQ(data.train.labels.size(), 60000u);
  EXPECT_EQ(data.test.images.shape, (std::vector<int64_t>{10000, 28, 28}));
  EXPECT_EQ(data.test.labels.size(), 10000u);
  EXPECT_THAT(std::vector<int32_t>(data.train.labels.begin(), data.train.labels.begin() + 10),
              ElementsAre(9, 0, 0, 3, 0, 2, 7, 2, 5, 5));
  EXPECT_EQ(kFashionMnistClassNames[static_cast<std::size_t>(data.train.labels[0])], "Ankle boot");
  EXPECT_THAT(std::vector<int32_t>(data.test.labels.begin(), data.test.labels.begin() + 5), ElementsAre(9, 2, 1, 1, 6));
  const auto [lowest, highest] = std::minmax_element(data.train.images.data.begin(), data.train.images.data.end());
  EXPECT_EQ(*lowest, 0.0f);
  EXPECT_EQ(*highest, 1.0f);
  // Each class has exactly 6000 training examples.
  EXPECT_EQ(std::count(data.train.labels.begin(), data.train.labels.end(), 9), 6000);
}

}  // namespace
}  // namespace loom
