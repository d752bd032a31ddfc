// The compiler's weight-panel layout and the runtime's workspace sizes agree: the drivers allocate what the
// packing kernels write.
#include <gtest/gtest.h>

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

}  // namespace
