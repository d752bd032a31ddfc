// Whole-file reads name the file and the kind of file in their refusals, and an atomic file appears only when
// committed. (save_parameters' failure cases, which go through AtomicFile, are in parameter_file_atomic_write_test.)
#include "loom/runtime/files.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loom/runtime/errors.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

TEST(ReadFile, ReturnsEveryByte) {
  testing::TemporaryDirectory directory;
  testing::write_bytes(directory.file("data"), {'a', 0, 'b', 0xff});
  EXPECT_EQ(read_file(directory.file("data"), "data file", "Check the path."), std::string("a\0b\xff", 4));
}

TEST(ReadFile, MissingFileGetsTheAdvice) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("missing.txt");
  EXPECT_THAT(
      [&] { read_file(path, "fortune file", "Install the fortunes package."); },
      ThrowsMessage<Error>(HasSubstr("Fortune file '" + path + "' does not exist. Install the fortunes package.")));
}

TEST(ReadFile, DirectoryIsRefused) {
  testing::TemporaryDirectory directory;
  EXPECT_THAT([&] { read_file(directory.path().string(), "chart file", ""); },
              ThrowsMessage<Error>(HasSubstr("is not a regular file; pass the path of a chart file.")));
}

TEST(AtomicFile, AppearsOnlyWhenCommitted) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("out.bin");
  {
    AtomicFile file(path, "test file");
    file.write("abc", 3);
    EXPECT_THAT(directory.entries(), ElementsAre(HasSubstr("out.bin.tmp.")));
    file.commit();
  }
  EXPECT_EQ(read_file(path, "test file", ""), "abc");
  {
    AtomicFile abandoned(path, "test file");
    abandoned.write("xyz", 3);
  }
  EXPECT_EQ(read_file(path, "test file", ""), "abc");
  EXPECT_THAT(directory.entries(), ElementsAre("out.bin"));
}

TEST(AtomicFile, NothingIsLeftWhenNothingIsCommitted) {
  testing::TemporaryDirectory directory;
  { AtomicFile abandoned(directory.file("never.bin"), "test file"); }
  EXPECT_THAT(directory.entries(), IsEmpty());
}

// A process killed while saving leaves "<path>.tmp.<pid>" behind; the next commit removes it, and only it.
TEST(AtomicFile, CommitRemovesTheTemporaryFilesOfProcessesThatNoLongerRun) {
  testing::TemporaryDirectory directory;
  const pid_t finished = fork();
  if (finished == 0) _exit(0);
  ASSERT_GT(finished, 0);
  waitpid(finished, nullptr, 0);
  const std::string dead = "out.bin.tmp." + std::to_string(finished);
  for (const std::string& name : {dead, std::string("out.bin.tmp.1"), std::string("out.bin.tmp.notes"),
                                  std::string("other.bin.tmp.") + std::to_string(finished)}) {
    testing::write_bytes(directory.file(name), {'x'});
  }
  AtomicFile file(directory.file("out.bin"), "test file");
  file.write("abc", 3);
  file.commit();
  // Process 1 still runs; "notes" is no process id; other.bin's temporaries are not out.bin's business.
  EXPECT_THAT(directory.entries(), ElementsAre("other.bin.tmp." + std::to_string(finished), "out.bin",
                                               "out.bin.tmp.1", "out.bin.tmp.notes"));
}

}  // namespace
}  // namespace loom
