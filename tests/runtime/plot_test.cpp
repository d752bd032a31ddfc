// Line charts come out as PNG files with a white background and each series in its colour where its values put it,
// and charts that cannot be drawn or written are refused with messages that say why.
#include "loom/runtime/plot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "loom/runtime/errors.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr Color kRed{220, 20, 20};
constexpr Color kBlue{20, 20, 220};
constexpr Color kWhite{255, 255, 255};

// A decoded PNG, read back with libpng as 8-bit RGB.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;

  Color at(int x, int y) const {
    const uint8_t* pixel = &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + x) * 3];
    return {pixel[0], pixel[1], pixel[2]};
  }

  int count(Color color) const {
    int matches = 0;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) matches += at(x, y) == color;
    }
    return matches;
  }

  // The mean row of the pixels of `color` in column x; -1 when there are none.
  double mean_row(int x, Color color) const {
    double sum = 0.0;
    int matches = 0;
    for (int y = 0; y < height; ++y) {
      if (at(x, y) == color) {
        sum += y;
        ++matches;
      }
    }
    return matches == 0 ? -1.0 : sum / matches;
  }
};

Image read_png(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) {
    throw std::runtime_error("libpng cannot read " + path + ": " + image.message);
  }
  image.format = PNG_FORMAT_RGB;
  Image decoded{static_cast<int>(image.width), static_cast<int>(image.height),
                std::vector<uint8_t>(PNG_IMAGE_SIZE(image))};
  if (png_image_finish_read(&image, nullptr, decoded.rgb.data(), 0, nullptr) == 0) {
    throw std::runtime_error("libpng cannot decode " + path + ": " + image.message);
  }
  return decoded;
}

// Training loss falling from 2.5 to 0.5 over 100 steps: 2.5, 2.48, ..., 0.52.
ChartSeries falling_loss(Color color) {
  ChartSeries series{"training loss", {}, color, false};
  for (int step = 0; step < 100; ++step) series.points.push_back({double(step), 2.5 - 0.02 * step});
  return series;
}

LineChart loss_chart() {
  LineChart chart;
  chart.title = "Loss of hihello";
  chart.x_label = "step";
  chart.y_label = "loss";
  chart.series = {falling_loss(kRed), {"validation loss", {{10, 2.0}, {50, 1.4}, {99, 1.1}}, kBlue, true}};
  return chart;
}

class LineChartTest : public ::testing::Test {
 protected:
  Image write_and_read(const LineChart& chart) {
    write_line_chart_png(path_, chart);
    return read_png(path_);
  }

  testing::TemporaryDirectory directory_;
  std::string path_ = directory_.file("loss.png");
};

TEST_F(LineChartTest, HasTheRequestedSize) {
  LineChart chart = loss_chart();
  chart.width = 640;
  chart.height = 400;
  const Image image = write_and_read(chart);
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(image.height, 400);
}

TEST_F(LineChartTest, BackgroundIsWhite) {
  const Image image = write_and_read(loss_chart());
  EXPECT_EQ(image.at(0, 0), kWhite);
  EXPECT_EQ(image.at(image.width - 1, image.height - 1), kWhite);
  EXPECT_GT(image.count(kWhite), image.width * image.height / 2);
}

TEST_F(LineChartTest, EachSeriesIsDrawnInItsColour) {
  const Image image = write_and_read(loss_chart());
  EXPECT_GT(image.count(kRed), 500);
  EXPECT_GT(image.count(kBlue), 100);
}

TEST_F(LineChartTest, SeriesWithoutAColourTakeThePaletteInOrder) {
  LineChart chart = loss_chart();
  chart.series[0].color.reset();
  chart.series[1].color.reset();
  const Image image = write_and_read(chart);
  EXPECT_EQ(image.count(kRed), 0);
  EXPECT_GT(image.count(kSeriesColors[0]), 500);
  EXPECT_GT(image.count(kSeriesColors[1]), 100);
}

// Image rows count downwards, so a higher value sits in a smaller row. The first and last points lie on the left
// and right edges of the plot, beyond the legend, which is centred.
TEST_F(LineChartTest, FallingSeriesStartsHigherInTheImageThanItEnds) {
  LineChart chart = loss_chart();
  chart.series.resize(1);
  const Image image = write_and_read(chart);
  int leftmost = image.width;
  int rightmost = -1;
  for (int x = 0; x < image.width; ++x) {
    if (image.mean_row(x, kRed) < 0) continue;
    leftmost = std::min(leftmost, x);
    rightmost = std::max(rightmost, x);
  }
  ASSERT_LT(leftmost, rightmost);
  EXPECT_LT(image.mean_row(leftmost, kRed) + 100, image.mean_row(rightmost, kRed));
}

TEST_F(LineChartTest, NanAndInfinitePointsAreLeftOut) {
  const Image clean = write_and_read(loss_chart());
  LineChart chart = loss_chart();
  std::vector<ChartPoint>& points = chart.series[0].points;
  points.insert(points.begin() + 50, {50.5, std::numeric_limits<double>::quiet_NaN()});
  points.push_back({std::numeric_limits<double>::infinity(), 1.0});
  points.push_back({120.0, -std::numeric_limits<double>::infinity()});
  EXPECT_EQ(write_and_read(chart).rgb, clean.rgb);
}

TEST_F(LineChartTest, FlatSeriesAndSinglePointsAreDrawn) {
  LineChart chart;
  chart.series = {{"flat", {{0, 1.0}, {10, 1.0}}, kRed, false}, {"one", {{5, 1.0}}, kBlue, false}};
  const Image image = write_and_read(chart);
  EXPECT_GT(image.count(kRed), 100);
  EXPECT_GT(image.count(kBlue), 20);  // a marker, as a single point has no line
}

// The font covers printable ASCII; each byte of a UTF-8 character draws as '?'.
TEST_F(LineChartTest, CharactersOutsideAsciiDrawAsQuestionMarks) {
  LineChart chart = loss_chart();
  chart.title = "caf\xc3\xa9";
  const Image accented = write_and_read(chart);
  chart.title = "caf??";
  EXPECT_EQ(write_and_read(chart).rgb, accented.rgb);
  chart.title = "cafe!";
  EXPECT_NE(write_and_read(chart).rgb, accented.rgb);
}

TEST_F(LineChartTest, ReplacesAnExistingFileAndLeavesNoTemporary) {
  testing::write_bytes(path_, {1, 2, 3});
  write_and_read(loss_chart());
  EXPECT_THAT(directory_.entries(), ElementsAre("loss.png"));
}

TEST_F(LineChartTest, ChartWithoutSeriesIsRefused) {
  LineChart chart = loss_chart();
  chart.series.clear();
  EXPECT_THAT([&] { write_line_chart_png(path_, chart); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'Loss of hihello'"), HasSubstr("it has no series"))));
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(LineChartTest, SeriesWithoutPointsIsRefused) {
  LineChart chart = loss_chart();
  chart.series[1].points.clear();
  EXPECT_THAT([&] { write_line_chart_png(path_, chart); },
              ThrowsMessage<Error>(HasSubstr("series 'validation loss' has no points")));
}

TEST_F(LineChartTest, SeriesWithoutFinitePointsIsRefused) {
  LineChart chart = loss_chart();
  chart.series[1].points = {{1, std::nan("")}, {2, std::numeric_limits<double>::infinity()}};
  EXPECT_THAT([&] { write_line_chart_png(path_, chart); },
              ThrowsMessage<Error>(HasSubstr("all 2 points of series 'validation loss' are NaN or infinite")));
}

TEST_F(LineChartTest, TooSmallSizeIsRefused) {
  LineChart chart = loss_chart();
  chart.width = 100;
  EXPECT_THAT([&] { write_line_chart_png(path_, chart); },
              ThrowsMessage<Error>(HasSubstr("at 100x600 pixels; charts must be between 200x150")));
}

TEST_F(LineChartTest, UnwritablePathIsNamed) {
  const std::string path = directory_.file("no/such/dir/loss.png");
  EXPECT_THAT([&] { write_line_chart_png(path, loss_chart()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("Could not create the temporary chart file '" + path),
                                         HasSubstr("Check that the directory exists"))));
}

}  // namespace
}  // namespace loom
