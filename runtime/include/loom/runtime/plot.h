// Line charts written as PNG images, for loss and accuracy curves of training runs: training loss per step and
// validation loss per epoch on one pair of axes, with tick labels, axis labels, a title and a legend.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom {

struct Color {
  uint8_t red = 0;
  uint8_t green = 0;
  uint8_t blue = 0;

  bool operator==(const Color&) const = default;
};

// The colours series get when they name none, in order (matplotlib's "tab10" palette).
inline constexpr std::array<Color, 10> kSeriesColors = {{{31, 119, 180},
                                                         {255, 127, 14},
                                                         {44, 160, 44},
                                                         {214, 39, 40},
                                                         {148, 103, 189},
                                                         {140, 86, 75},
                                                         {227, 119, 194},
                                                         {127, 127, 127},
                                                         {188, 189, 34},
                                                         {23, 190, 207}}};

struct ChartPoint {
  double x = 0.0;
  double y = 0.0;
};

struct ChartSeries {
  std::string name;  // its legend entry
  // Joined in the order given. Points with a NaN or infinite coordinate (a diverged loss) are left out.
  std::vector<ChartPoint> points;
  // kSeriesColors[i % 10] for the i-th series when absent.
  std::optional<Color> color;
  // Also draws a small square at every point, for sparse series such as validation loss per epoch.
  bool markers = false;
};

struct LineChart {
  std::string title;
  std::string x_label;  // e.g. "step"
  std::string y_label;  // e.g. "loss", drawn upwards along the y axis
  std::vector<ChartSeries> series;
  int width = 960;  // pixels
  int height = 600;
};

// Draws `chart` and writes it to `path` as an 8-bit RGB PNG, atomically (a temporary file renamed over `path`).
// Both axes span the finite points of all series, widened to round tick values. Text is drawn in a built-in
// 5x7 pixel font covering printable ASCII; other characters show as '?'.
// Throws loom::Error for a chart without series, a series without finite points, a size below 200x150 pixels,
// and a path that cannot be written.
void write_line_chart_png(const std::string& path, const LineChart& chart);

}  // namespace loom
