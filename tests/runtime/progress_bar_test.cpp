// The training progress bar's output in both styles, with a test-controlled clock so nothing depends on timing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ProgressBar, LogStylePrintsOneLineAtEveryTenthOfTheEpoch) {
  std::ostringstream out;
  double now = 100.0;
  {
    ProgressBar bar("epoch 1/3", 20, out, ProgressStyle::line_per_update, [&] { return now; });
    for (int step = 1; step <= 20; ++step) {
      now = 100.0 + step;
      bar.update(step, 32 * step, 0.5, 0.5);
    }
  }
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 10u) << out.str();
  EXPECT_EQ(lines[0], "epoch 1/3 2/20 loss 0.5000 acc 50.0% 32 ex/s 0:18 left");
  EXPECT_EQ(lines[9], "epoch 1/3 20/20 loss 0.5000 acc 50.0% 32 ex/s took 0:20");
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(ProgressBar, LogStylePrintsOnceWhenAnUpdateSkipsSeveralTenths) {
  std::ostringstream out;
  double now = 0.0;
  ProgressBar bar("train", 100, out, ProgressStyle::line_per_update, [&] { return now; });
  now = 10.0;
  bar.update(35, 350, 1.0, 0.0);
  bar.update(36, 360, 1.0, 0.0);
  bar.update(40, 400, 1.0, 0.0);
  EXPECT_EQ(lines_of(out.str()).size(), 2u) << out.str();
}

TEST(ProgressBar, TerminalStyleRedrawsOneLineAndEndsIt) {
  std::ostringstream out;
  double now = 0.0;
  {
    ProgressBar bar("train", 4, out, ProgressStyle::redraw_line, [&] { return now; });
    now = 1.0;
    bar.update(1, 10, 10.0, 0.25);
    now = 2.0;
    bar.update(2, 20, 1.0, 0.5);
    bar.finish();
  }
  EXPECT_EQ(out.str(),
            "\rtrain [=====>              ] 1/4 loss 10.0000 acc 25.0% 10 ex/s 0:03 left"
            "\rtrain [==========>         ] 2/4 loss 1.0000 acc 50.0% 10 ex/s 0:02 left \n");
}

TEST(ProgressBar, FirstUpdateAtTimeZeroOmitsRates) {
  std::ostringstream out;
  ProgressBar bar("train", 10, out, ProgressStyle::line_per_update, [] { return 5.0; });
  bar.update(10, 100, 0.25, 1.0);
  EXPECT_EQ(out.str(), "train 10/10 loss 0.2500 acc 100.0%\n");
}

TEST(ProgressBar, LongEpochsShowHours) {
  std::ostringstream out;
  double now = 0.0;
  ProgressBar bar("train", 10, out, ProgressStyle::line_per_update, [&] { return now; });
  now = 3600.0;
  bar.update(1, 1, 0.0, 0.0);
  EXPECT_THAT(out.str(), HasSubstr(" 9:00:00 left"));
}

TEST(ProgressBar, NeedsAPositiveStepCount) {
  std::ostringstream out;
  EXPECT_THAT([&] { ProgressBar("train", 0, out, ProgressStyle::line_per_update, [] { return 0.0; }); },
              ThrowsMessage<Error>(HasSubstr("needs a positive number of steps, but got 0")));
}

}  // namespace
}  // namespace loom
