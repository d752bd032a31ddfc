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
  EXPECT_EQ(options.checkpoint_every, 0);
  EXPECT_FALSE(options.checkpoint_due(5));
}

TEST(TrainingOptions, CheckpointEveryNSteps) {
  loom::TrainingOptions options;
  CLI::App app{"test"};
  loom::add_training_options(app, options);
  loom::add_checkpoint_every_option(app, options);
  const char *argv[] = {"train", "--checkpoint-every", "3"};
  app.parse(3, const_cast<char **>(argv));
  EXPECT_EQ(options.checkpoint_every, 3);
  EXPECT_FALSE(options.checkpoint_due(2));
  EXPECT_TRUE(options.checkpoint_due(3));
  EXPECT_FALSE(options.checkpoint_due(4));
  EXPECT_TRUE(options.checkpoint_due(6));

  loom::TrainingOptions negative;
  CLI::App strict{"test"};
  loom::add_checkpoint_every_option(strict, negative);
  const char *bad[] = {"train", "--checkpoint-every", "-1"};
  EXPECT_THROW(strict.parse(3, const_cast<char **>(bad)), CLI::ValidationError);
}

TEST(TrainingPosition, ResumesInsideTheEpochItStoppedIn) {
  EXPECT_EQ(loom::training_position(0, 10).epoch, 1);
  EXPECT_EQ(loom::training_position(0, 10).batches_done, 0);
  EXPECT_EQ(loom::training_position(7, 10).epoch, 1);
  EXPECT_EQ(loom::training_position(7, 10).batches_done, 7);
  EXPECT_EQ(loom::training_position(10, 10).epoch, 2);
  EXPECT_EQ(loom::training_position(10, 10).batches_done, 0);
  EXPECT_EQ(loom::training_position(23, 10).epoch, 3);
  EXPECT_EQ(loom::training_position(23, 10).batches_done, 3);
  try {
    loom::training_position(3, 0);
    FAIL() << "0 steps per epoch accepted";
  } catch (const loom::Error &error) {
    EXPECT_STREQ(error.what(),
                 "training_position: 3 steps with 0 steps per epoch; both must be positive (the steps may be 0).");
  }
}

} // namespace
