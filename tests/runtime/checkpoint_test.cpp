// Checkpoint counters survive the float encoding exactly; damaged ones are refused by name.
#include "loom/runtime/checkpoint.h"
#include "loom/runtime/errors.h"

#include <gtest/gtest.h>

namespace {

TEST(Checkpoint, CountersRoundTripExactly) {
  for (uint64_t value : {uint64_t(0), uint64_t(1), uint64_t(65535), uint64_t(65536), uint64_t(123456789012345),
                         ~uint64_t(0)})
    EXPECT_EQ(loom::counter_value(loom::counter_tensor(value), "training.step", "f"), value);
}

TEST(Checkpoint, DamagedCounterIsRefused) {
  loom::Tensor counter = loom::counter_tensor(7);
  counter.data[1] = 0.5f;
  try {
    loom::counter_value(counter, "training.step", "run.checkpoint");
    ADD_FAILURE() << "accepted a damaged counter";
  } catch (const loom::Error &error) {
    EXPECT_STREQ(error.what(), "run.checkpoint: training.step holds 0.500000, which is not a 16-bit part of a "
                               "counter; the checkpoint is damaged");
  }
}

TEST(Checkpoint, TrainingStateIsSetApartFromParameters) {
  loom::ParameterSet set;
  set.tensors.push_back({"lstm.weight_hh", loom::Tensor({2, 2})});
  set.tensors.push_back({"optimizer.m.lstm.weight_hh", loom::Tensor({2, 2})});
  set.tensors.push_back({"training.step", loom::counter_tensor(3)});
  loom::ParameterSet parameters = loom::without_training_state(set);
  ASSERT_EQ(parameters.tensors.size(), 1u);
  EXPECT_EQ(parameters.tensors[0].name, "lstm.weight_hh");
}

} // namespace
