// Drawing a LineChart or Heatmap panels into an RGB pixel buffer with a built-in bitmap font, then encoding it with
// libpng's simplified API and writing it atomically.
#include "loom/runtime/plot.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"

namespace loom {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// Font

// Printable ASCII, ' ' (32) to '~' (126), sixteen characters to a band, bands separated by an empty line. Each
// glyph is 5 columns by 9 rows: 7 rows down to the baseline, then 2 for descenders ('#' is ink).
constexpr std::string_view kFontSheet = R"(
..... ..#.. .#.#. .#.#. ..#.. ##... .##.. ..#.. ...#. .#... ..... ..... ..... ..... ..... .....
..... ..#.. .#.#. .#.#. .#### ##..# #..#. ..#.. ..#.. ..#.. ..#.. ..#.. ..... ..... ..... ....#
..... ..#.. ..... ##### #.#.. ...#. #.#.. .#... .#... ...#. #.#.# ..#.. ..... ..... ..... ...#.
..... ..#.. ..... .#.#. .###. ..#.. .#... ..... .#... ...#. .###. ##### ..... ##### ..... ..#..
..... ..#.. ..... ##### ..#.# .#... #.#.# ..... .#... ...#. #.#.# ..#.. ..... ..... ..... .#...
..... ..... ..... .#.#. ####. #..## #..#. ..... ..#.. ..#.. ..#.. ..#.. ..##. ..... .##.. #....
..... ..#.. ..... .#.#. ..#.. ...## .##.# ..... ...#. .#... ..... ..... ..##. ..... .##.. .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ...#. ..... ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..#.. ..... ..... .....

.###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###. ..... ..... ...#. ..... .#... .###.
#...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...# .##.. ..##. ..#.. ..... ..#.. #...#
#..## ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...# .##.. ..##. .#... ##### ...#. ....#
#.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .#### ..... ..... #.... ..... ....# ...#.
##..# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....# .##.. ..... .#... ##### ...#. ..#..
#...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#. .##.. ..##. ..#.. ..... ..#.. .....
.###. .###. ##### .###. ...#. .###. .###. .#... .###. .##.. ..... ..##. ...#. ..... .#... ..#..
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ...#. ..... ..... ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..#.. ..... ..... ..... .....

.###. .###. ####. .###. ###.. ##### ##### .###. #...# .###. ..### #...# #.... #...# #...# .###.
#...# #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. ...#. #..#. #.... ##.## #...# #...#
....# #...# #...# #.... #...# #.... #.... #.... #...# ..#.. ...#. #.#.. #.... #.#.# ##..# #...#
.##.# ##### ####. #.... #...# ####. ####. #.### ##### ..#.. ...#. ##... #.... #.#.# #.#.# #...#
#.#.# #...# #...# #.... #...# #.... #.... #...# #...# ..#.. ...#. #.#.. #.... #...# #..## #...#
#.#.# #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. #..#. #..#. #.... #...# #...# #...#
.###. #...# ####. .###. ###.. ##### #.... .#### #...# .###. .##.. #...# ##### #...# #...# .###.
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....

####. .###. ####. .#### ##### #...# #...# #...# #...# #...# ##### .###. ..... .###. ..#.. .....
#...# #...# #...# #.... ..#.. #...# #...# #...# #...# #...# ....# .#... #.... ...#. .#.#. .....
#...# #...# #...# #.... ..#.. #...# #...# #...# .#.#. .#.#. ...#. .#... .#... ...#. #...# .....
####. #...# ####. .###. ..#.. #...# #...# #.#.# ..#.. ..#.. ..#.. .#... ..#.. ...#. ..... .....
#.... #.#.# #.#.. ....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#... .#... ...#. ...#. ..... .....
#.... #..#. #..#. ....# ..#.. #...# .#.#. #.#.# #...# ..#.. #.... .#... ....# ...#. ..... .....
#.... .##.# #...# ####. ..#.. .###. ..#.. .#.#. #...# ..#.. ##### .###. ..... .###. ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... #####
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....

.#... ..... #.... ..... ....# ..... ..##. ..... #.... ..#.. ...#. #.... .##.. ..... ..... .....
..#.. ..... #.... ..... ....# ..... .#..# ..... #.... ..... ..... #.... ..#.. ..... ..... .....
...#. .###. #.##. .###. .##.# .###. .#... .#### #.##. .##.. ..##. #..#. ..#.. ##.#. #.##. .###.
..... ....# ##..# #.... #..## #...# ###.. #...# ##..# ..#.. ...#. #.#.. ..#.. #.#.# ##..# #...#
..... .#### #...# #.... #...# ##### .#... #...# #...# ..#.. ...#. ##... ..#.. #.#.# #...# #...#
..... #...# #...# #...# #...# #.... .#... #...# #...# ..#.. ...#. #.#.. ..#.. #.#.# #...# #...#
..... .#### ####. .###. .#### .###. .#... .#### #...# .###. ...#. #..#. .###. #.#.# #...# .###.
..... ..... ..... ..... ..... ..... ..... ....# ..... ..... #..#. ..... ..... ..... ..... .....
..... ..... ..... ..... ..... ..... ..... .###. ..... ..... .##.. ..... ..... ..... ..... .....

..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ...#. ..#.. .#... .....
..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ..#.. ..#.. ..#.. .....
####. .#### #.##. .#### ###.. #...# #...# #...# #...# #...# ##### ..#.. ..#.. ..#.. .#...
#...# #...# ##..# #.... .#... #...# #...# #...# .#.#. #...# ...#. .#... ..#.. ...#. #.#.#
#...# #...# #.... .###. .#... #...# #...# #.#.# ..#.. #...# ..#.. ..#.. ..#.. ..#.. ...#.
#...# #...# #.... ....# .#..# #..## .#.#. #.#.# .#.#. #...# .#... ..#.. ..#.. ..#.. .....
####. .#### #.... ####. ..##. .##.# ..#.. .#.#. #...# .#### ##### ...#. ..#.. .#... .....
#.... ....# ..... ..... ..... ..... ..... ..... ..... ....# ..... ..... ..... ..... .....
#.... ....# ..... ..... ..... ..... ..... ..... ..... .###. ..... ..... ..... ..... .....
)";

constexpr int kGlyphWidth = 5;
constexpr int kGlyphRows = 9;
constexpr int kGlyphAdvance = kGlyphWidth + 1;  // one blank column between glyphs
constexpr int kGlyphsPerBand = 16;
constexpr char kFirstGlyph = ' ';
constexpr char kLastGlyph = '~';
constexpr int kGlyphCount = kLastGlyph - kFirstGlyph + 1;

// One bit per pixel, the leftmost column in bit 4.
using GlyphRows = std::array<uint8_t, kGlyphRows>;

// Runs at compile time, so a malformed sheet (a short line, a stray character) fails the build.
consteval std::array<GlyphRows, kGlyphCount> parse_font_sheet(std::string_view sheet) {
  std::array<std::string_view, (kGlyphCount / kGlyphsPerBand + 1) * (kGlyphRows + 1)> lines{};
  std::size_t line_count = 0;
  sheet.remove_prefix(1);  // the newline that follows R"(
  while (!sheet.empty()) {
    const std::size_t end = std::min(sheet.find('\n'), sheet.size());
    lines.at(line_count++) = sheet.substr(0, end);
    sheet.remove_prefix(std::min(end + 1, sheet.size()));
  }
  std::array<GlyphRows, kGlyphCount> glyphs{};
  for (int glyph = 0; glyph < kGlyphCount; ++glyph) {
    const int band = glyph / kGlyphsPerBand;
    const int column = glyph % kGlyphsPerBand;
    for (int row = 0; row < kGlyphRows; ++row) {
      const std::string_view line = lines.at(static_cast<std::size_t>(band * (kGlyphRows + 1) + row));
      for (int x = 0; x < kGlyphWidth; ++x) {
        const char pixel = line.at(static_cast<std::size_t>(column * kGlyphAdvance + x));
        if (pixel != '#' && pixel != '.') throw "the font sheet may hold only '#' and '.' inside glyphs";
        if (pixel == '#') glyphs[glyph][row] |= static_cast<uint8_t>(1 << (kGlyphWidth - 1 - x));
      }
    }
  }
  return glyphs;
}

constexpr std::array<GlyphRows, kGlyphCount> kGlyphs = parse_font_sheet(kFontSheet);

const GlyphRows& glyph_for(char character) {
  if (character < kFirstGlyph || character > kLastGlyph) character = '?';
  return kGlyphs[static_cast<std::size_t>(character - kFirstGlyph)];
}

// Pixels along the text of `text` drawn at `scale`.
int text_length(std::string_view text, int scale) {
  return text.empty() ? 0 : (static_cast<int>(text.size()) * kGlyphAdvance - 1) * scale;
}

// ---------------------------------------------------------------------------------------------------------------
// Canvas

struct Rectangle {
  int left = 0;
  int top = 0;
  int right = 0;   // inclusive
  int bottom = 0;  // inclusive
};

enum class TextDirection {
  rightwards,  // (x, y) is the top-left corner of the text
  upwards,     // read bottom to top, as a y axis label; (x, y) is the bottom-left corner
};

// An RGB image with a clip rectangle that every drawing call respects.
class Canvas {
 public:
  Canvas(int width, int height, Color background) : width_(width), height_(height), clip_{0, 0, width - 1, height - 1} {
    pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    fill({0, 0, width - 1, height - 1}, background);
  }

  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<uint8_t>& pixels() const { return pixels_; }

  // Drawing outside `area` (which is itself limited to the image) does nothing until the next clip_to.
  void clip_to(const Rectangle& area) {
    clip_ = {std::max(area.left, 0), std::max(area.top, 0), std::min(area.right, width_ - 1),
             std::min(area.bottom, height_ - 1)};
  }
  void clip_to_image() { clip_ = {0, 0, width_ - 1, height_ - 1}; }

  void set(int x, int y, Color color) {
    if (x < clip_.left || x > clip_.right || y < clip_.top || y > clip_.bottom) return;
    uint8_t* pixel = &pixels_[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + x) * 3];
    pixel[0] = color.red;
    pixel[1] = color.green;
    pixel[2] = color.blue;
  }

  void fill(const Rectangle& area, Color color) {
    for (int y = area.top; y <= area.bottom; ++y) {
      for (int x = area.left; x <= area.right; ++x) set(x, y, color);
    }
  }

  void outline(const Rectangle& area, Color color) {
    fill({area.left, area.top, area.right, area.top}, color);
    fill({area.left, area.bottom, area.right, area.bottom}, color);
    fill({area.left, area.top, area.left, area.bottom}, color);
    fill({area.right, area.top, area.right, area.bottom}, color);
  }

  // Bresenham's line, drawn with a square pen `thickness` pixels wide.
  void line(int x0, int y0, int x1, int y1, Color color, int thickness) {
    const int dx = std::abs(x1 - x0);
    const int dy = -std::abs(y1 - y0);
    const int step_x = x0 < x1 ? 1 : -1;
    const int step_y = y0 < y1 ? 1 : -1;
    const int offset = thickness / 2;
    int error = dx + dy;
    while (true) {
      fill({x0 - offset, y0 - offset, x0 - offset + thickness - 1, y0 - offset + thickness - 1}, color);
      if (x0 == x1 && y0 == y1) break;
      const int doubled = 2 * error;
      if (doubled >= dy) {
        error += dy;
        x0 += step_x;
      }
      if (doubled <= dx) {
        error += dx;
        y0 += step_y;
      }
    }
  }

  void text(int x, int y, std::string_view text, Color color, int scale, TextDirection direction) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const GlyphRows& glyph = glyph_for(text[i]);
      for (int row = 0; row < kGlyphRows; ++row) {
        for (int column = 0; column < kGlyphWidth; ++column) {
          if ((glyph[row] >> (kGlyphWidth - 1 - column) & 1) == 0) continue;
          // (along, across): the pixel's offset along the reading direction and down the glyph.
          const int along = (static_cast<int>(i) * kGlyphAdvance + column) * scale;
          const int across = row * scale;
          if (direction == TextDirection::rightwards) {
            fill({x + along, y + across, x + along + scale - 1, y + across + scale - 1}, color);
          } else {
            fill({x + across, y - along - scale + 1, x + across + scale - 1, y - along}, color);
          }
        }
      }
    }
  }

 private:
  int width_;
  int height_;
  Rectangle clip_;
  std::vector<uint8_t> pixels_;  // row-major RGB
};

// ---------------------------------------------------------------------------------------------------------------
// Axes

struct Axis {
  double low = 0.0;  // the first and last tick; every point lies between them
  double high = 0.0;
  std::vector<double> ticks;
  std::vector<std::string> labels;

  // Where `value` falls between the pixel coordinates `from` (at low) and `to` (at high).
  double position(double value, double from, double to) const {
    return from + (value - low) / (high - low) * (to - from);
  }
};

// Heckbert's "nice numbers" (Graphics Gems, 1990): 1, 2 or 5 times a power of ten, near range / target_count.
double nice_step(double range, int target_count) {
  const double raw = range / target_count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double nice = fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0;
  return nice * magnitude;
}

// As many digits as the step needs: "0.25" is impossible (steps are 1, 2 or 5 times a power of ten), so one
// decimal per power of ten below 1 suffices. Very large or very small values use exponent notation.
std::string tick_label(double value, double step, double largest_magnitude) {
  const int step_exponent = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  char text[64];
  if (largest_magnitude >= 1e6 || largest_magnitude < 1e-3) {
    const int largest_exponent = static_cast<int>(std::floor(std::log10(largest_magnitude) + 1e-9));
    std::snprintf(text, sizeof text, "%.*e", std::max(0, largest_exponent - step_exponent), value);
  } else {
    std::snprintf(text, sizeof text, "%.*f", std::max(0, -step_exponent), value);
  }
  return text;
}

// Ticks at round values covering [minimum, maximum], about `target_count` intervals of them.
Axis make_axis(double minimum, double maximum, int target_count) {
  if (minimum == maximum) {
    // A flat series still needs a range; centre it.
    const double margin = minimum == 0.0 ? 1.0 : std::abs(minimum) * 0.1;
    minimum -= margin;
    maximum += margin;
  }
  const double step = nice_step(maximum - minimum, target_count);
  Axis axis;
  axis.low = std::floor(minimum / step) * step;
  axis.high = std::ceil(maximum / step) * step;
  const double largest_magnitude = std::max(std::abs(axis.low), std::abs(axis.high));
  const auto intervals = static_cast<int>(std::lround((axis.high - axis.low) / step));
  for (int i = 0; i <= intervals; ++i) {
    double value = axis.low + i * step;
    if (std::abs(value) < step * 1e-6) value = 0.0;  // no "-0.0" where the axis crosses zero
    axis.ticks.push_back(value);
    axis.labels.push_back(tick_label(value, step, largest_magnitude));
  }
  return axis;
}

int widest_label(const Axis& axis, int scale) {
  int widest = 0;
  for (const std::string& label : axis.labels) widest = std::max(widest, text_length(label, scale));
  return widest;
}

// ---------------------------------------------------------------------------------------------------------------
// Chart

constexpr Color kWhite{255, 255, 255};
constexpr Color kBlack{0, 0, 0};
constexpr Color kGridGray{225, 225, 225};
constexpr int kMinimumWidth = 200;
constexpr int kMinimumHeight = 150;
constexpr int kMaximumSide = 16384;
constexpr int kPadding = 12;
constexpr int kTitleScale = 2;
constexpr int kLineHeight = kGlyphRows + 5;
constexpr int kTickLength = 5;
constexpr int kTickLabelGap = 4;
constexpr int kLineThickness = 2;
constexpr int kMarkerSize = 5;
constexpr int kSwatchLength = 24;
constexpr int kLegendGap = 18;  // between legend entries

// The finite points of one series, in its order, with its resolved colour.
struct PlottedSeries {
  const ChartSeries* series;
  Color color;
  std::vector<ChartPoint> points;
};

std::vector<PlottedSeries> finite_series(const std::string& path, const LineChart& chart) {
  const std::string chart_name = "chart " + in_quotes(chart.title) + " for " + in_quotes(path);
  if (chart.width < kMinimumWidth || chart.height < kMinimumHeight || chart.width > kMaximumSide ||
      chart.height > kMaximumSide) {
    throw Error("Cannot draw " + chart_name + " at " + std::to_string(chart.width) + "x" +
                std::to_string(chart.height) + " pixels; charts must be between " + std::to_string(kMinimumWidth) +
                "x" + std::to_string(kMinimumHeight) + " and " + std::to_string(kMaximumSide) + "x" +
                std::to_string(kMaximumSide) + " pixels.");
  }
  if (chart.series.empty()) throw Error("Cannot draw " + chart_name + ": it has no series. Add a series of points.");
  std::vector<PlottedSeries> plotted;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const ChartSeries& series = chart.series[i];
    if (series.points.empty()) {
      throw Error("Cannot draw " + chart_name + ": series " + in_quotes(series.name) +
                  " has no points. Record at least one point or leave the series out.");
    }
    PlottedSeries finite{&series, series.color.value_or(kSeriesColors[i % kSeriesColors.size()]), {}};
    for (const ChartPoint& point : series.points) {
      if (std::isfinite(point.x) && std::isfinite(point.y)) finite.points.push_back(point);
    }
    if (finite.points.empty()) {
      throw Error("Cannot draw " + chart_name + ": all " + std::to_string(series.points.size()) + " points of series " +
                  in_quotes(series.name) +
                  " are NaN or infinite (a loss becomes NaN when training diverges). Check the recorded values.");
    }
    plotted.push_back(std::move(finite));
  }
  return plotted;
}

int legend_entry_width(const PlottedSeries& series) {
  return kSwatchLength + 6 + text_length(series.series->name, 1) + kLegendGap;
}

// Where everything goes. Top to bottom: title, legend rows (wrapped to the width), plot, x tick labels, x label;
// left to right: y label, y tick labels, plot.
struct Layout {
  int legend_top = 0;
  std::vector<std::vector<const PlottedSeries*>> legend_rows;
  Rectangle plot;
  Axis x_axis;
  Axis y_axis;

  int pixel_x(double x) const { return static_cast<int>(std::lround(x_axis.position(x, plot.left, plot.right))); }
  int pixel_y(double y) const { return static_cast<int>(std::lround(y_axis.position(y, plot.bottom, plot.top))); }
};

Layout lay_out(const std::string& path, const LineChart& chart, const std::vector<PlottedSeries>& plotted) {
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const PlottedSeries& series : plotted) {
    for (const ChartPoint& point : series.points) {
      x_min = std::min(x_min, point.x);
      x_max = std::max(x_max, point.x);
      y_min = std::min(y_min, point.y);
      y_max = std::max(y_max, point.y);
    }
  }
  if (!std::isfinite(x_max - x_min) || !std::isfinite(y_max - y_min)) {
    throw Error("Cannot draw chart " + in_quotes(chart.title) + " for " + in_quotes(path) +
                ": its points span more than the largest double, too wide for one axis.");
  }

  Layout layout;
  layout.legend_top = kPadding + (chart.title.empty() ? 0 : kGlyphRows * kTitleScale + 8);
  layout.legend_rows.emplace_back();
  int row_width = 0;
  for (const PlottedSeries& series : plotted) {
    if (row_width > 0 && row_width + legend_entry_width(series) > chart.width - 2 * kPadding) {
      layout.legend_rows.emplace_back();
      row_width = 0;
    }
    layout.legend_rows.back().push_back(&series);
    row_width += legend_entry_width(series);
  }
  Rectangle& plot = layout.plot;
  plot.top = layout.legend_top + static_cast<int>(layout.legend_rows.size()) * kLineHeight + 6;
  plot.bottom = chart.height - 1 - kPadding - (chart.x_label.empty() ? 0 : kLineHeight) - kTickLength - kTickLabelGap -
                kLineHeight;

  // The y labels' width sets the left edge, which sets the plot width, which sets how many x labels fit.
  layout.y_axis = make_axis(y_min, y_max, std::clamp((plot.bottom - plot.top) / 50, 2, 10));
  plot.left = kPadding + (chart.y_label.empty() ? 0 : kLineHeight) + widest_label(layout.y_axis, 1) + kTickLength +
              kTickLabelGap;
  plot.right = chart.width - 1 - kPadding;
  for (int target = std::clamp((plot.right - plot.left) / 80, 2, 10); target >= 1; --target) {
    layout.x_axis = make_axis(x_min, x_max, target);
    const auto intervals = static_cast<double>(layout.x_axis.ticks.size() - 1);
    if ((plot.right - plot.left) / intervals >= widest_label(layout.x_axis, 1) + 12) break;
  }
  // Room for half of the last x label, which is centred under the right edge.
  plot.right = std::min(plot.right, chart.width - 2 - text_length(layout.x_axis.labels.back(), 1) / 2);
  return layout;
}

void draw_axes(Canvas& canvas, const LineChart& chart, const Layout& layout) {
  const Rectangle& plot = layout.plot;
  for (std::size_t i = 0; i < layout.x_axis.ticks.size(); ++i) {
    const int x = layout.pixel_x(layout.x_axis.ticks[i]);
    canvas.fill({x, plot.top, x, plot.bottom}, kGridGray);
    canvas.fill({x, plot.bottom, x, plot.bottom + kTickLength}, kBlack);
    const std::string& label = layout.x_axis.labels[i];
    canvas.text(x - text_length(label, 1) / 2, plot.bottom + kTickLength + kTickLabelGap, label, kBlack, 1,
                TextDirection::rightwards);
  }
  for (std::size_t i = 0; i < layout.y_axis.ticks.size(); ++i) {
    const int y = layout.pixel_y(layout.y_axis.ticks[i]);
    canvas.fill({plot.left, y, plot.right, y}, kGridGray);
    canvas.fill({plot.left - kTickLength, y, plot.left, y}, kBlack);
    const std::string& label = layout.y_axis.labels[i];
    // Rows 0 to 6 hold digits, so row 3 goes level with the tick.
    canvas.text(plot.left - kTickLength - kTickLabelGap - text_length(label, 1), y - 3, label, kBlack, 1,
                TextDirection::rightwards);
  }
  canvas.outline(plot, kBlack);
  if (!chart.x_label.empty()) {
    canvas.text((plot.left + plot.right - text_length(chart.x_label, 1)) / 2, chart.height - kPadding - kGlyphRows,
                chart.x_label, kBlack, 1, TextDirection::rightwards);
  }
  if (!chart.y_label.empty()) {
    canvas.text(kPadding, (plot.top + plot.bottom + text_length(chart.y_label, 1)) / 2, chart.y_label, kBlack, 1,
                TextDirection::upwards);
  }
}

void draw_curves(Canvas& canvas, const std::vector<PlottedSeries>& plotted, const Layout& layout) {
  // Inside the frame only, so a thick line along an edge does not cover the axes.
  const Rectangle& plot = layout.plot;
  canvas.clip_to({plot.left + 1, plot.top + 1, plot.right - 1, plot.bottom - 1});
  for (const PlottedSeries& series : plotted) {
    for (std::size_t i = 0; i < series.points.size(); ++i) {
      const int x = layout.pixel_x(series.points[i].x);
      const int y = layout.pixel_y(series.points[i].y);
      if (i > 0) {
        const ChartPoint& previous = series.points[i - 1];
        canvas.line(layout.pixel_x(previous.x), layout.pixel_y(previous.y), x, y, series.color, kLineThickness);
      }
      // A single point would otherwise be invisible.
      if (series.series->markers || series.points.size() == 1) {
        canvas.fill({x - kMarkerSize / 2, y - kMarkerSize / 2, x + kMarkerSize / 2, y + kMarkerSize / 2}, series.color);
      }
    }
  }
  canvas.clip_to_image();
}

void draw_legend(Canvas& canvas, const Layout& layout) {
  for (std::size_t row = 0; row < layout.legend_rows.size(); ++row) {
    int row_width = 0;
    for (const PlottedSeries* series : layout.legend_rows[row]) row_width += legend_entry_width(*series);
    int x = (canvas.width() - row_width + kLegendGap) / 2;
    const int y = layout.legend_top + static_cast<int>(row) * kLineHeight;
    for (const PlottedSeries* series : layout.legend_rows[row]) {
      const int middle = y + 3;
      canvas.line(x, middle, x + kSwatchLength - 1, middle, series->color, kLineThickness);
      if (series->series->markers) {
        const int centre = x + kSwatchLength / 2;
        canvas.fill(
            {centre - kMarkerSize / 2, middle - kMarkerSize / 2, centre + kMarkerSize / 2, middle + kMarkerSize / 2},
            series->color);
      }
      canvas.text(x + kSwatchLength + 6, y, series->series->name, kBlack, 1, TextDirection::rightwards);
      x += legend_entry_width(*series);
    }
  }
}

Canvas draw(const std::string& path, const LineChart& chart) {
  const std::vector<PlottedSeries> plotted = finite_series(path, chart);
  const Layout layout = lay_out(path, chart, plotted);
  Canvas canvas(chart.width, chart.height, kWhite);
  if (!chart.title.empty()) {
    canvas.text((chart.width - text_length(chart.title, kTitleScale)) / 2, kPadding, chart.title, kBlack, kTitleScale,
                TextDirection::rightwards);
  }
  draw_axes(canvas, chart, layout);
  draw_curves(canvas, plotted, layout);
  draw_legend(canvas, layout);
  return canvas;
}

// ---------------------------------------------------------------------------------------------------------------
// Heatmaps

constexpr int kHeatmapTextScale = 2;
constexpr int kHeatmapTextAscent = 7 * kHeatmapTextScale;  // glyph rows above the baseline
constexpr int kHeatmapLineHeight = kGlyphRows * kHeatmapTextScale;
constexpr int kHeatmapLabelGap = 6;   // between labels and the grid
constexpr int kHeatmapTitleGap = 8;   // below a title
constexpr int kHeatmapPanelGap = 24;  // between panels
constexpr Color kHeatmapFrame{150, 150, 150};

// Where one panel goes; y coordinates are the image's.
struct PanelLayout {
  const Heatmap* heatmap = nullptr;
  int top = 0;
  bool upwards_column_labels = false;
  int column_label_bottom = 0;  // the last row of the column labels' band
  Rectangle grid;
};

struct HeatmapLayout {
  int width = 0;
  int height = 0;
  std::vector<PanelLayout> panels;
};

void check_heatmap(const std::string& path, const std::vector<Heatmap>& panels, std::size_t index) {
  const Heatmap& heatmap = panels[index];
  const std::string panel_name = "heatmap " + in_quotes(heatmap.title) + " (panel " + std::to_string(index + 1) +
                                 " of " + std::to_string(panels.size()) + ") for " + in_quotes(path);
  if (heatmap.row_labels.empty() || heatmap.column_labels.empty()) {
    throw Error("Cannot draw " + panel_name + ": it has " + std::to_string(heatmap.row_labels.size()) + " rows and " +
                std::to_string(heatmap.column_labels.size()) +
                " columns. Give it a row label per row and a column label per column (an empty one will do).");
  }
  const std::size_t cells = heatmap.row_labels.size() * heatmap.column_labels.size();
  if (heatmap.weights.size() != cells) {
    throw Error("Cannot draw " + panel_name + ": it has " + std::to_string(heatmap.weights.size()) + " weights, but " +
                std::to_string(heatmap.row_labels.size()) + " row labels and " +
                std::to_string(heatmap.column_labels.size()) + " column labels make " + std::to_string(cells) +
                " cells.");
  }
  for (std::size_t i = 0; i < cells; ++i) {
    const float weight = heatmap.weights[i];
    if (!(weight >= 0.0f && weight <= 1.0f)) {
      throw Error("Cannot draw " + panel_name + ": the weight in row " +
                  std::to_string(i / heatmap.column_labels.size()) + ", column " +
                  std::to_string(i % heatmap.column_labels.size()) + " is " +
                  (std::isnan(weight) ? std::string("NaN") : std::to_string(weight)) +
                  "; weights must lie in [0, 1], as attention weights do.");
    }
  }
}

HeatmapLayout lay_out_heatmaps(const std::string& path, const std::vector<Heatmap>& panels) {
  if (panels.empty()) throw Error("Cannot draw heatmaps for " + in_quotes(path) + ": there are no panels.");
  int widest_row_label = 0;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    check_heatmap(path, panels, i);
    for (const std::string& label : panels[i].row_labels) {
      widest_row_label = std::max(widest_row_label, text_length(label, kHeatmapTextScale));
    }
  }
  // Every grid starts here, so that panels line up.
  const int grid_left = kPadding + (widest_row_label > 0 ? widest_row_label + kHeatmapLabelGap : 0);

  HeatmapLayout layout;
  int right = 0;  // the rightmost column of ink
  int y = kPadding;
  for (const Heatmap& heatmap : panels) {
    PanelLayout panel;
    panel.heatmap = &heatmap;
    panel.top = y;
    if (!heatmap.title.empty()) {
      right = std::max(right, kPadding + text_length(heatmap.title, kHeatmapTextScale) - 1);
      y += kHeatmapLineHeight + kHeatmapTitleGap;
    }
    int widest_column_label = 0;
    for (const std::string& label : heatmap.column_labels) {
      widest_column_label = std::max(widest_column_label, text_length(label, kHeatmapTextScale));
    }
    panel.upwards_column_labels = widest_column_label > kHeatmapCellSize;
    y += panel.upwards_column_labels ? widest_column_label : kHeatmapLineHeight;
    panel.column_label_bottom = y - 1;
    y += kHeatmapLabelGap;
    const int columns = static_cast<int>(heatmap.column_labels.size());
    const int rows = static_cast<int>(heatmap.row_labels.size());
    panel.grid = {grid_left, y, grid_left + columns * kHeatmapCellSize - 1, y + rows * kHeatmapCellSize - 1};
    right = std::max(right, panel.grid.right + 1);  // the frame
    y = panel.grid.bottom + 2 + kHeatmapPanelGap;
    layout.panels.push_back(panel);
  }
  layout.width = right + 1 + kPadding;
  layout.height = y - kHeatmapPanelGap + kPadding;
  if (layout.width > kMaximumSide || layout.height > kMaximumSide) {
    throw Error("Cannot draw " + std::to_string(panels.size()) + " heatmaps for " + in_quotes(path) +
                ": the image would be more than " + std::to_string(kMaximumSide) +
                " pixels on a side. Write fewer or smaller panels per image.");
  }
  return layout;
}

void draw_heatmap(Canvas& canvas, const PanelLayout& panel) {
  const Heatmap& heatmap = *panel.heatmap;
  const Rectangle& grid = panel.grid;
  canvas.text(kPadding, panel.top, heatmap.title, kBlack, kHeatmapTextScale, TextDirection::rightwards);
  const std::size_t columns = heatmap.column_labels.size();
  for (std::size_t column = 0; column < columns; ++column) {
    const int left = grid.left + static_cast<int>(column) * kHeatmapCellSize;
    const std::string& label = heatmap.column_labels[column];
    if (panel.upwards_column_labels) {
      canvas.text(left + (kHeatmapCellSize - kHeatmapTextAscent) / 2, panel.column_label_bottom, label, kBlack,
                  kHeatmapTextScale, TextDirection::upwards);
    } else {
      canvas.text(left + (kHeatmapCellSize - text_length(label, kHeatmapTextScale)) / 2,
                  panel.column_label_bottom + 1 - kHeatmapLineHeight, label, kBlack, kHeatmapTextScale,
                  TextDirection::rightwards);
    }
  }
  for (std::size_t row = 0; row < heatmap.row_labels.size(); ++row) {
    const int top = grid.top + static_cast<int>(row) * kHeatmapCellSize;
    const std::string& label = heatmap.row_labels[row];
    canvas.text(grid.left - kHeatmapLabelGap - text_length(label, kHeatmapTextScale),
                top + (kHeatmapCellSize - kHeatmapTextAscent) / 2, label, kBlack, kHeatmapTextScale,
                TextDirection::rightwards);
    for (std::size_t column = 0; column < columns; ++column) {
      const int left = grid.left + static_cast<int>(column) * kHeatmapCellSize;
      canvas.fill({left, top, left + kHeatmapCellSize - 1, top + kHeatmapCellSize - 1},
                  heatmap_color(heatmap.weights[row * columns + column]));
    }
  }
  canvas.outline({grid.left - 1, grid.top - 1, grid.right + 1, grid.bottom + 1}, kHeatmapFrame);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

std::vector<unsigned char> encode_png(const std::string& path, const Canvas& canvas) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(canvas.width());
  image.height = static_cast<png_uint_32>(canvas.height());
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> bytes;
  png_alloc_size_t size = 0;
  // The first call measures the encoded size, the second encodes.
  for (int pass = 0; pass < 2; ++pass) {
    if (png_image_write_to_memory(&image, pass == 0 ? nullptr : bytes.data(), &size, 0, canvas.pixels().data(), 0,
                                  nullptr) == 0) {
      throw Error("libpng could not encode the chart for " + in_quotes(path) + ": " + image.message + ".");
    }
    bytes.resize(size);
  }
  return bytes;
}

void write_png(const std::string& path, const Canvas& canvas) {
  const std::vector<unsigned char> png = encode_png(path, canvas);
  AtomicFile file(path, "chart file");
  file.write(png.data(), png.size());
  file.commit();
}

}  // namespace

void write_line_chart_png(const std::string& path, const LineChart& chart) { write_png(path, draw(path, chart)); }

Color heatmap_color(double weight) {
  // ColorBrewer's 9-class "Blues", lightest first, at weights 0, 1/8, ..., 1.
  static constexpr std::array<Color, 9> kBlues = {{{247, 251, 255},
                                                   {222, 235, 247},
                                                   {198, 219, 239},
                                                   {158, 202, 225},
                                                   {107, 174, 214},
                                                   {66, 146, 198},
                                                   {33, 113, 181},
                                                   {8, 81, 156},
                                                   {8, 48, 107}}};
  const double position = (weight > 0.0 ? std::min(weight, 1.0) : 0.0) * (kBlues.size() - 1);  // NaN goes to 0
  const std::size_t below = std::min(static_cast<std::size_t>(position), kBlues.size() - 2);
  const double fraction = position - static_cast<double>(below);
  const auto mix = [&](uint8_t from, uint8_t to) {
    return static_cast<uint8_t>(std::lround(from + fraction * (static_cast<double>(to) - from)));
  };
  const Color& low = kBlues[below];
  const Color& high = kBlues[below + 1];
  return {mix(low.red, high.red), mix(low.green, high.green), mix(low.blue, high.blue)};
}

void write_heatmap_png(const std::string& path, const std::vector<Heatmap>& panels) {
  const HeatmapLayout layout = lay_out_heatmaps(path, panels);
  Canvas canvas(layout.width, layout.height, kWhite);
  for (const PanelLayout& panel : layout.panels) draw_heatmap(canvas, panel);
  write_png(path, canvas);
}

}  // namespace loom
