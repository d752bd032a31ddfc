// LOOM_SCHEDULE: a kernel with the model file's schedule computes what it computes with Loom's, the
// model compiler says which kernels have one, and every mistake in a schedule stops loomc with a
// message that names the schedule's place, the kernel and what is wrong.
#include "dense_default.h"
#include "dense_scheduled.h"
#include "loom/testing/programs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

using ::testing::HasSubstr;

namespace {

loom::testing::ProgramRun loomc(const std::string &model, const std::string &arguments) {
  return loom::testing::run_program(std::string(LOOM_SCHEDULES_LOOMC) + " --model=" + model + " " + arguments);
}

// The first line of a failed run's output that is loomc's error.
std::string error_of(const loom::testing::ProgramRun &run) {
  EXPECT_EQ(run.status, 1) << run.output;
  size_t at = run.output.find("loomc: error: ");
  return at == std::string::npos ? run.output : run.output.substr(at, run.output.find('\n', at) - at);
}

constexpr const char *kAvx512 = "--target=x86-64-linux-avx512-fma";

TEST(CustomSchedule, ComputesWhatLoomsScheduleComputes) {
  loom::models::dense_default plain(/*seed=*/3);
  const std::string params = loom::testing::scratch_directory("custom_schedule_test").string() + "/dense.params";
  plain.save_parameters(params);
  loom::models::dense_scheduled scheduled;
  scheduled.load_parameters(params);
  for (size_t i = 0; i < plain.x().size(); ++i)
    plain.x()[i] = scheduled.x()[i] = std::sin(0.37f * float(i));
  plain.forward();
  scheduled.forward();
  ASSERT_EQ(plain.y().size(), scheduled.y().size());
  float largest = 0;
  for (size_t i = 0; i < plain.y().size(); ++i) {
    largest = std::max(largest, std::abs(plain.y()[i] - scheduled.y()[i]));
    ASSERT_NE(plain.y()[i], 0.0f) << i; // the outputs were written at all
  }
  EXPECT_LE(largest, 1e-6f);
}

TEST(CustomSchedule, EmitScheduleShowsTheScheduleAndWhereItIsWritten) {
  auto run = loomc("dense_scheduled", std::string("--emit=schedule ") + kAvx512);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("// dense_scheduled_forward_kernel1 for x86-64-linux-avx512-fma, scheduled by "
                                    "schedule_models.cpp:24\nproduce matmul_0_panel_product:"));
  // On AVX2 the schedule asks for Loom's: the product is tiled in registers as usual.
  run = loomc("dense_scheduled", "--emit=schedule --target=x86-64-linux-avx2-fma");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("scheduled by schedule_models.cpp:24\n"));
  EXPECT_THAT(run.output, HasSubstr("tile_m"));
}

TEST(CustomSchedule, AKernelTheModelDoesNotHaveIsNamedWithThoseItHas) {
  EXPECT_EQ(error_of(loomc("unknown_kernel", "--emit=header")),
            "loomc: error: schedule_models.cpp:36: LOOM_SCHEDULE(unknown_kernel, forward_kernel9): model "
            "'unknown_kernel' has no kernel unknown_kernel_forward_kernel9 that takes a schedule; those that do: "
            "forward_kernel1 (--emit=schedule shows each one's Funcs and loops)");
}

TEST(CustomSchedule, AFuncTheKernelDoesNotHaveIsNamedWithThoseItHas) {
  std::string error = error_of(loomc("unknown_func", std::string("--emit=schedule ") + kAvx512));
  EXPECT_THAT(error, HasSubstr("loomc: error: kernel unknown_func_forward_kernel1 (scheduled by "
                               "schedule_models.cpp:39): its schedule for x86-64-linux-avx512-fma: kernel "
                               "forward_kernel1 has no Func named 'softmax_0'; its Funcs: bias_add_1, "));
  EXPECT_THAT(error, HasSubstr("matmul_0_panel_product, out0, "));
}

TEST(CustomSchedule, AnOutputPastTheLastIsNamedWithTheCount) {
  EXPECT_THAT(error_of(loomc("missing_output", std::string("--emit=schedule ") + kAvx512)),
              HasSubstr("scheduled by schedule_models.cpp:42): its schedule for x86-64-linux-avx512-fma: kernel "
                        "forward_kernel1 has 1 output(s), so output(1) does not exist"));
}

TEST(CustomSchedule, ADirectiveHalideRefusesIsQuotedWithTheSchedule) {
  EXPECT_THAT(error_of(loomc("unknown_var", std::string("--emit=schedule ") + kAvx512)),
              HasSubstr("loomc: error: kernel unknown_var_forward_kernel1 (scheduled by schedule_models.cpp:45): "
                        "its schedule for x86-64-linux-avx512-fma: Halide rejected it: "));
}

TEST(CustomSchedule, AScheduleHalideRefusesWhenCompilingNamesTheKernelAndSchedule) {
  const std::string out = loom::testing::scratch_directory("custom_schedule_test").string() + "/unroll";
  for (const char *jobs : {"--jobs=1", "--jobs=2"}) {
    std::string error = error_of(loomc("unroll_unbounded", std::string("--emit=library -o ") + out + " " + jobs));
    EXPECT_THAT(error, HasSubstr("loomc: error: kernel unroll_unbounded_forward_kernel1 (scheduled by "
                                 "schedule_models.cpp:48): Halide rejected it: "))
        << jobs;
    EXPECT_THAT(error, HasSubstr("Can only unroll for loops over a constant extent")) << jobs;
  }
}

TEST(CustomSchedule, AScheduleHalideRefusesWhenLoweringNamesTheKernelAndSchedule) {
  std::string error = error_of(loomc("unroll_unbounded", std::string("--emit=stmt ") + kAvx512));
  EXPECT_THAT(error, HasSubstr("loomc: error: kernel unroll_unbounded_forward_kernel1 (scheduled by "
                               "schedule_models.cpp:48): Halide rejected it: "));
  EXPECT_THAT(error, HasSubstr("Can only unroll for loops over a constant extent"));
}

TEST(CustomSchedule, LoomsScheduleOnlyOnce) {
  EXPECT_THAT(error_of(loomc("default_twice", std::string("--emit=schedule ") + kAvx512)),
              HasSubstr("(scheduled by schedule_models.cpp:54): its schedule for x86-64-linux-avx512-fma: "
                        "schedule_default() was already called for kernel forward_kernel1"));
}

TEST(CustomSchedule, TwoSchedulesForOneKernelAreRefused) {
  EXPECT_EQ(error_of(loomc("scheduled_twice", "--emit=header")),
            "loomc: error: second_schedule.cpp:4: LOOM_SCHEDULE(scheduled_twice, forward_kernel1) schedules a "
            "kernel that schedule_models.cpp:60 schedules already; keep one of them");
}

TEST(CustomSchedule, AScheduleForAModelThatIsNotThereIsRefused) {
  auto run = loom::testing::run_program(std::string(LOOM_SCHEDULE_FOR_NO_MODEL_LOOMC) + " --emit=header");
  EXPECT_EQ(error_of(run), "loomc: error: schedule_for_no_model.cpp:13: LOOM_SCHEDULE(dens, forward_kernel1) "
                           "names no model of this loomc; it holds: dense");
}

} // namespace
