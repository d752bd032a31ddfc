// save_parameters replaces a file atomically: whatever goes wrong, the previous file survives intact and no
// temporary file is left behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "loom/runtime/errors.h"
#include "loom/runtime/parameter_file.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Caps the size of files this process may write, so a write fails midway with EFBIG, as on a full disk.
// SIGXFSZ would otherwise kill the test process.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_limit_);
    saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_limit_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_limit_);
    std::signal(SIGXFSZ, saved_handler_);
  }

 private:
  rlimit saved_limit_{};
  void (*saved_handler_)(int) = nullptr;
};

class AtomicWriteTest : public ::testing::Test {
 protected:
  void SetUp() override { save_parameters(path_, "old_model", {{"w", Tensor::filled({3}, 1.0f)}}); }

  void expect_old_file_intact() {
    const ParameterSet loaded = load_parameters(path_);
    EXPECT_EQ(loaded.model_name, "old_model");
    ASSERT_EQ(loaded.tensors.size(), 1u);
    EXPECT_EQ(loaded.tensors[0].tensor.shape, std::vector<int64_t>{3});
    EXPECT_EQ(loaded.tensors[0].tensor.data[0], 1.0f);
  }

  testing::TemporaryDirectory directory_;
  std::string path_ = directory_.file("params.loom");
};

TEST_F(AtomicWriteTest, SuccessfulSaveReplacesTheFileAndLeavesNoTemporary) {
  save_parameters(path_, "new_model", {{"v", Tensor::filled({2}, 5.0f)}});
  EXPECT_EQ(load_parameters(path_).model_name, "new_model");
  EXPECT_THAT(directory_.entries(), ElementsAre("params.loom"));
}

TEST_F(AtomicWriteTest, WriteFailingMidwayKeepsTheOldFile) {
  const Tensor large = Tensor::filled({1 << 20}, 2.0f);  // 4 MiB, well past the limit below
  {
    const FileSizeLimit limit(64 * 1024);
    EXPECT_THAT(
        [&] {
          save_parameters(path_, "new_model", {{"w", large}});
        },
        ThrowsMessage<Error>(HasSubstr("Could not write the temporary parameter file")));
  }
  expect_old_file_intact();
  EXPECT_THAT(directory_.entries(), ElementsAre("params.loom"));
}

TEST_F(AtomicWriteTest, RenameFailureKeepsTheTargetAndRemovesTheTemporary) {
  // rename() cannot replace a non-empty directory with a file, so the final step fails after a complete write.
  const std::string occupied = directory_.file("occupied");
  std::filesystem::create_directory(occupied);
  testing::write_bytes(occupied + "/keep", {1, 2, 3});
  EXPECT_THAT(
      [&] {
        save_parameters(occupied, "new_model", {{"w", Tensor({2})}});
      },
      ThrowsMessage<Error>(HasSubstr("Could not move the temporary parameter file")));
  EXPECT_TRUE(std::filesystem::is_directory(occupied));
  EXPECT_THAT(testing::read_bytes(occupied + "/keep"), ElementsAre(1, 2, 3));
  EXPECT_THAT(directory_.entries(), ElementsAre("occupied", "params.loom"));
}

TEST_F(AtomicWriteTest, MissingDirectoryIsReported) {
  EXPECT_THAT(
      [&] {
        save_parameters(directory_.file("no/such/dir/params.loom"), "m", {{"w", Tensor({1})}});
      },
      ThrowsMessage<Error>(HasSubstr("Check that the directory exists and that you may write to it.")));
}

TEST_F(AtomicWriteTest, UnwritableDirectoryKeepsTheOldFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write to any directory, so permissions cannot make this fail";
  ::chmod(directory_.path().c_str(), 0555);
  EXPECT_THAT(
      [&] {
        save_parameters(path_, "new_model", {{"w", Tensor({2})}});
      },
      ThrowsMessage<Error>(HasSubstr("Could not create the temporary parameter file")));
  ::chmod(directory_.path().c_str(), 0755);
  expect_old_file_intact();
  EXPECT_THAT(directory_.entries(), ElementsAre("params.loom"));
}

TEST_F(AtomicWriteTest, InvalidTensorsKeepTheOldFile) {
  Tensor inconsistent({4});
  inconsistent.data.resize(1);
  EXPECT_THROW(save_parameters(path_, "new_model", {{"w", inconsistent}}), Error);
  expect_old_file_intact();
  EXPECT_THAT(directory_.entries(), ElementsAre("params.loom"));
}

}  // namespace
}  // namespace loom
