// Charts written as PNG images: line charts, for loss and accuracy curves of training runs (training loss per step
// and validation loss per epoch on one pair of axes, with tick labels, axis labels, a title and a legend), and
// heatmaps, for attention weights (which source letters each output phoneme looked at).
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

// One matrix of weights in [0, 1], drawn as a grid of square cells with its labels around it. The labels give the
// shape: one row per row label, one column per column label (a label may be empty).
struct Heatmap {
  std::string title;                       // above the grid, e.g. "PHONEME -> F OW N IY M"
  std::vector<std::string> column_labels;  // above the columns, e.g. the letters of the source word
  std::vector<std::string> row_labels;     // left of the rows, e.g. the predicted phonemes
  std::vector<float> weights;              // [rows, columns], row-major
};

// Pixels per side of a heatmap cell.
inline constexpr int kHeatmapCellSize = 28;

// The colour of a weight in [0, 1], from near-white at 0 to dark blue at 1 (ColorBrewer's "Blues", whose
// lightness falls evenly); weights outside are clamped.
Color heatmap_color(double weight);

// Draws `panels` one below the other, each with its title, then its column labels, then its grid with the row
// labels on the left; the grids' left edges line up. Column labels wider than a cell are written upwards. Writes
// the image to `path` as an 8-bit RGB PNG, atomically, in the built-in font of write_line_chart_png.
// Throws loom::Error for no panels, a panel without rows or columns, a weight count other than rows x columns, a
// weight that is NaN or outside [0, 1], an image over 16384 pixels on a side and a path that cannot be written.
void write_heatmap_png(const std::string& path, const std::vector<Heatmap>& panels);

}  // namespace loom
