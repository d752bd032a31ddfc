// The training log: a non-finite loss stops training with the step and what is kept; the loss
// curve is written as a PNG; the shared options parse.
#include "loom/runtime/training.h"
#include "loom/runtime/errors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace {

TEST(TrainingLog, NanLossStopsWithTheStepAndWhatIsKept) {
  loom::TrainingLog log("m");
  log.record_step(1, 2.5f, "m.checkpoint");
  try {
    log.record_step(2, std::nanf(""), "m.checkpoint");
    ADD_FAILURE() << "a NaN loss was recorded";
  } catch (const loom::Error &error) {
    EXPECT_STREQ(error.what(),
                 "the loss became NaN at step 2; training stopped, and m.checkpoint still holds the last good checkpoint.");
  }
  EXPECT_EQ(log.losses().size(), 1u);
}

TEST(TrainingLog, WritesTheLossCurve) {
  loom::TrainingLog log("m");
  for (int step = 1; step <= 300; ++step)
    log.record_step(step, float(3.0 / std::sqrt(double(step))), "");
  log.record_evaluation(100, "validation loss", 0.5);
  log.record_evaluation(200, "validation loss", 0.4);
  std::string path = (std::filesystem::temp_directory_path() / "loom_training_curve.png").string();
  log.write_loss_curve(path);
  std::ifstream png(path, std::ios::binary);
  char magic[8] = {};
  png.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  std::filesystem::remove(path);
}

TEST(TrainingOptions, ParseTheSharedFlags) {
  loom::TrainingOptions options{.epochs = 3, .checkpoint = "a.checkpoint"};
  CLI::App app{"test"};
  loom::add_training_options(app, options);
  const char *argv[] = {"train", "--epochs", "7", "--resume", "--seed", "9"};
  app.parse(6, const_cast<char **>(argv));
  EXPECT_EQ(options.epochs, 7);
  EXPECT_EQ(options.seed, 9u);
  EXPECT_TRUE(options.resume);
  EXPECT_EQ(options.checkpoint, "a.checkpoint");
}

} // namespace
