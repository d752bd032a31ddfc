// The compiler's weight-panel layout and the runtime's workspace sizes agree: the drivers allocate what the
// packing kernels write.
#include <gtest/gtest.h>

#include "loom/lower/panel_gemm.h"
#include "loom/lower/shapes.h"
#include "loom/runtime/recurrent_loop.h"

namespace {

static_assert(loom::lower::kPanelWidth == loom::recurrent::kWeightPanelWidth,
              "recurrent_loop.h must size weight panels with the compiler's panel width");

TEST(PanelLayout, RuntimeWorkspaceHoldsEveryPanel) {
  for (int H : {1, 6, 16, 37, 512}) {
    const loom::recurrent::Shape shape{1, 1, 1, H};
    EXPECT_EQ(loom::recurrent::weight_panel_floats(shape, 4),
              std::size_t(4) * loom::lower::kPanelWidth * H * loom::lower::panel_count(H));
    EXPECT_EQ(loom::recurrent::weight_panel_floats(shape, 1),
              std::size_t(loom::lower::kPanelWidth) * H * loom::lower::panel_count(H));
  }
}

// A gated tile is one panel wide with every gate's accumulators in registers: at most 24 zmm (6 rows of an
// LSTM's 4 gates or a GRU's 3, capped at the plain tile's rows) or 12 ymm, and of up to two fewer rows
// the one that computes the fewest rows past the end.
TEST(PanelLayout, GatedTilesFitTheRegistersAndTheRows) {
  using loom::lower::cpu_tiling;
  const loom::lower::CpuTiling avx512 =
      cpu_tiling(Halide::Target("x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41"));
  const loom::lower::CpuTiling avx2 = cpu_tiling(Halide::Target("x86-64-linux-avx-avx2-f16c-fma-sse41"));
  struct Case {
    const loom::lower::CpuTiling &tiling;
    int gates, rows, expected;
  };
  const Case cases[] = {{avx512, 4, 64, 4}, {avx512, 4, 32, 4}, {avx512, 4, 66, 6}, {avx512, 4, 20, 5},
                        {avx512, 4, 1, 1},  {avx512, 4, 3, 3},  {avx512, 3, 128, 4}, {avx512, 3, 18, 6},
                        {avx2, 4, 64, 1},   {avx2, 3, 64, 2},   {avx2, 3, 7, 1}};
  for (const Case &c : cases) {
    const loom::lower::PanelTile tile = loom::lower::gated_tile(c.tiling, c.gates, c.rows);
    EXPECT_EQ(tile.rows, c.expected) << c.gates << " gates, " << c.rows << " rows, " << c.tiling.lanes << " lanes";
    EXPECT_EQ(tile.columns(), loom::lower::kPanelWidth);
    const int accumulators = tile.rows * c.gates * loom::lower::kPanelWidth / c.tiling.lanes;
    EXPECT_LE(accumulators, c.tiling.lanes == 16 ? 24 : 12);
  }
}

}  // namespace
