// Line charts come out as PNG files with a white background and each series in its colour where its values put it;
// heatmaps as grids of square cells, darker for larger weights, with their labels; and charts that cannot be drawn
// or written are refused with messages that say why.
#include "loom/runtime/plot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <png.h>

#include <array>
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

  // The smallest rectangle holding every pixel of `color` (left, top, right, bottom, inclusive); all -1 when there
  // are none.
  std::array<int, 4> bounds(Color color) const {
    std::array<int, 4> box = {-1, -1, -1, -1};
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        if (at(x, y) != color) continue;
        if (box[0] < 0) box = {x, y, x, y};
        box = {std::min(box[0], x), std::min(box[1], y), std::max(box[2], x), std::max(box[3], y)};
      }
    }
    return box;
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

// ---------------------------------------------------------------------------------------------------------------
// Heatmaps

constexpr Color kBlack{0, 0, 0};
constexpr int kCell = kHeatmapCellSize;

double luminance(Color color) { return 0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue; }

// Attention of the phonemes K AE over the letters C A T, all of it on one cell: row 1, column 2.
Heatmap attention_on_one_cell() { return {"CAT -> K AE T", {"C", "A", "T"}, {"K", "AE"}, {0, 0, 0, 0, 0, 1}}; }

class HeatmapTest : public ::testing::Test {
 protected:
  Image write_and_read(const std::vector<Heatmap>& panels) {
    write_heatmap_png(path_, panels);
    return read_png(path_);
  }

  testing::TemporaryDirectory directory_;
  std::string path_ = directory_.file("attention.png");
};

TEST(HeatmapColor, DarkensEvenlyFromNearWhiteToDarkBlue) {
  EXPECT_EQ(heatmap_color(0.0), (Color{247, 251, 255}));
  EXPECT_EQ(heatmap_color(1.0), (Color{8, 48, 107}));
  for (int step = 1; step <= 20; ++step) {
    EXPECT_LT(luminance(heatmap_color(step / 20.0)), luminance(heatmap_color((step - 1) / 20.0))) << step;
  }
  EXPECT_EQ(heatmap_color(2.0), heatmap_color(1.0));
  EXPECT_EQ(heatmap_color(-1.0), heatmap_color(0.0));
}

// The six cells are the only pixels in the ramp's colours: five light ones and the dark one in the bottom-right
// corner of the 3-column, 2-row grid.
TEST_F(HeatmapTest, CellsAreSquaresDarkerForLargerWeights) {
  const Image image = write_and_read({attention_on_one_cell()});
  const Color light = heatmap_color(0.0);
  const Color dark = heatmap_color(1.0);
  EXPECT_EQ(image.count(dark), kCell * kCell);
  EXPECT_EQ(image.count(light), 5 * kCell * kCell);
  const std::array<int, 4> cell = image.bounds(dark);
  EXPECT_EQ(cell[2] - cell[0] + 1, kCell);
  EXPECT_EQ(cell[3] - cell[1] + 1, kCell);
  const std::array<int, 4> grid = image.bounds(light);
  EXPECT_EQ(grid[2] - grid[0] + 1, 3 * kCell);
  EXPECT_EQ(grid[3] - grid[1] + 1, 2 * kCell);
  EXPECT_EQ(cell[0], grid[0] + 2 * kCell);
  EXPECT_EQ(cell[1], grid[1] + kCell);
  // The middle of the weight-1 cell, and of the weight-0 cells left of it and above it.
  const int x = cell[0] + kCell / 2;
  const int y = cell[1] + kCell / 2;
  EXPECT_LT(luminance(image.at(x, y)), luminance(image.at(x - kCell, y)) - 100);
  EXPECT_LT(luminance(image.at(x, y)), luminance(image.at(x, y - kCell)) - 100);
  EXPECT_EQ(image.at(0, 0), kWhite);
}

// Without a title, which would be wider than the grid.
TEST_F(HeatmapTest, EachRowAndColumnAddsOneCellToTheSize) {
  Heatmap heatmap = attention_on_one_cell();
  heatmap.title.clear();
  const Image base = write_and_read({heatmap});
  Heatmap taller = heatmap;
  taller.row_labels.push_back("T");
  taller.weights.insert(taller.weights.end(), {0, 0, 0});
  const Image taller_image = write_and_read({taller});
  EXPECT_EQ(taller_image.width, base.width);
  EXPECT_EQ(taller_image.height, base.height + kCell);
  Heatmap wider = heatmap;
  wider.column_labels.push_back("S");
  wider.weights = {0, 0, 0, 0, 0, 0, 0, 1};
  const Image wider_image = write_and_read({wider});
  EXPECT_EQ(wider_image.width, base.width + kCell);
  EXPECT_EQ(wider_image.height, base.height);
}

// The second panel's row labels are wider, so both grids move right together.
TEST_F(HeatmapTest, PanelsAreStackedWithTheirGridsAligned) {
  Heatmap second{"DOG -> D AO G", {"D", "O", "G"}, {"DH", "AO", "<end>"}, {1, 0, 0, 0, 1, 0, 0, 0, 1}};
  const Image single = write_and_read({attention_on_one_cell()});
  const Image stacked = write_and_read({attention_on_one_cell(), second});
  EXPECT_GT(stacked.height, single.height + 3 * kCell);
  EXPECT_EQ(stacked.count(heatmap_color(1.0)), 4 * kCell * kCell);
  // Dark cells: the first panel's in column 2, the second panel's diagonal in columns 0, 1 and 2.
  const std::array<int, 4> dark = stacked.bounds(heatmap_color(1.0));
  const std::array<int, 4> light = stacked.bounds(heatmap_color(0.0));
  EXPECT_EQ(dark[0], light[0]);
  EXPECT_EQ(dark[2], light[2]);
  EXPECT_EQ(dark[2] - dark[0] + 1, 3 * kCell);
}

TEST_F(HeatmapTest, LabelsAreWrittenLeftOfAndAboveTheGrid) {
  Heatmap unlabelled = attention_on_one_cell();
  unlabelled.title.clear();
  unlabelled.column_labels = {"", "", ""};
  unlabelled.row_labels = {"", ""};
  EXPECT_EQ(write_and_read({unlabelled}).count(kBlack), 0);

  const Image image = write_and_read({attention_on_one_cell()});
  const std::array<int, 4> grid = image.bounds(heatmap_color(0.0));
  int left_of_grid = 0;
  int above_grid = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.at(x, y) != kBlack) continue;
      left_of_grid += x < grid[0] && y >= grid[1] && y <= grid[3];
      above_grid += y < grid[1] && x >= grid[0] && x <= grid[2];
    }
  }
  EXPECT_GT(left_of_grid, 50);
  EXPECT_GT(above_grid, 50);
}

// "<end>" is 58 pixels long in the heatmap's font, wider than a cell; upwards it stands taller than a cell.
TEST_F(HeatmapTest, ColumnLabelsWiderThanACellAreWrittenUpwards) {
  const Heatmap heatmap{"", {"<end>", "A"}, {"AH"}, {0, 1}};
  const Image image = write_and_read({heatmap});
  const std::array<int, 4> grid = image.bounds(heatmap_color(0.0));
  int top = grid[1];
  for (int y = 0; y < grid[1]; ++y) {
    for (int x = grid[0]; x < grid[0] + kCell; ++x) {
      if (image.at(x, y) == kBlack) top = std::min(top, y);
    }
  }
  EXPECT_GT(grid[1] - top, kCell);
}

TEST_F(HeatmapTest, ReplacesAnExistingFileAndLeavesNoTemporary) {
  testing::write_bytes(path_, {1, 2, 3});
  write_and_read({attention_on_one_cell()});
  EXPECT_THAT(directory_.entries(), ElementsAre("attention.png"));
}

TEST_F(HeatmapTest, NoPanelsAreRefused) {
  EXPECT_THAT([&] { write_heatmap_png(path_, {}); },
              ThrowsMessage<Error>(HasSubstr("Cannot draw heatmaps for '" + path_ + "': there are no panels")));
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(HeatmapTest, PanelWithoutRowsIsRefused) {
  const Heatmap empty{"nothing", {"A"}, {}, {}};
  EXPECT_THAT(
      [&] {
        write_heatmap_png(path_, {attention_on_one_cell(), empty});
      },
      ThrowsMessage<Error>(
          AllOf(HasSubstr("heatmap 'nothing' (panel 2 of 2)"), HasSubstr("it has 0 rows and 1 columns"))));
}

TEST_F(HeatmapTest, WeightCountThatDoesNotMatchTheLabelsIsRefused) {
  Heatmap heatmap = attention_on_one_cell();
  heatmap.weights.pop_back();
  EXPECT_THAT([&] { write_heatmap_png(path_, {heatmap}); },
              ThrowsMessage<Error>(HasSubstr("it has 5 weights, but 2 row labels and 3 column labels make 6 cells")));
}

TEST_F(HeatmapTest, NanAndOutOfRangeWeightsAreRefused) {
  Heatmap heatmap = attention_on_one_cell();
  heatmap.weights[4] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THAT([&] { write_heatmap_png(path_, {heatmap}); },
              ThrowsMessage<Error>(HasSubstr("the weight in row 1, column 1 is NaN; weights must lie in [0, 1]")));
  heatmap.weights[4] = 1.5f;
  EXPECT_THAT([&] { write_heatmap_png(path_, {heatmap}); },
              ThrowsMessage<Error>(HasSubstr("the weight in row 1, column 1 is 1.500000")));
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(HeatmapTest, ImageTallerThanTheLimitIsRefused) {
  const std::vector<Heatmap> panels(200, attention_on_one_cell());
  EXPECT_THAT([&] { write_heatmap_png(path_, panels); },
              ThrowsMessage<Error>(HasSubstr("Cannot draw 200 heatmaps for '" + path_ +
                                             "': the image would be more than 16384 pixels on a side")));
}

}  // namespace
}  // namespace loom
