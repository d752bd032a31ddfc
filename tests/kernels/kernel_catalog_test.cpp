// loom-kernelgen's kernel specs: parsing, the clear errors for malformed ones, and the layer builders
// naming exactly the kernels recurrent_loop.h's drivers take.
#include "loom/lower/kernel_catalog.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using loom::lower::expand_kernel_spec;
using loom::lower::parse_kernel_spec;

std::vector<std::string> function_names(const std::string& spec) {
  std::vector<std::string> names;
  for (const auto& request : expand_kernel_spec(parse_kernel_spec(spec))) names.push_back(request.function_name);
  return names;
}

std::string error_of(const std::string& spec) {
  try {
    expand_kernel_spec(parse_kernel_spec(spec));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(KernelCatalog, ParsesFunctionBuilderAndSizes) {
  const auto spec = parse_kernel_spec("fwd=lstm_step_forward:B=64,H=512");
  EXPECT_EQ(spec.function_name, "fwd");
  EXPECT_EQ(spec.builder, "lstm_step_forward");
  EXPECT_EQ(spec.sizes, (std::map<std::string, int>{{"B", 64}, {"H", 512}}));
}

TEST(KernelCatalog, LayerBuildersNameTheDriversKernelsInOrder) {
  const std::vector<std::string> recurrent{"l_input_projection",       "l_forward_weight_panels",
                                           "l_step_forward",           "l_backward_weight_panels",
                                           "l_step_backward",          "l_input_weight_gradients",
                                           "l_hidden_weight_gradients", "l_input_gradients"};
  EXPECT_EQ(function_names("l=lstm_layer:T=2,B=3,I=4,H=5"), recurrent);
  EXPECT_EQ(function_names("l=rnn_layer:T=2,B=3,I=4,H=5"), recurrent);
  EXPECT_EQ(function_names("d=linear_layer:M=2,K=3,N=4"),
            (std::vector<std::string>{"d_forward", "d_backward_data", "d_backward_weights"}));
}

// The mistakes: no builder, a size that is not a number, an unknown builder, a missing and an extra size.
TEST(KernelCatalog, MalformedSpecsGetMessagesSayingWhatIsWrong) {
  EXPECT_NE(error_of("fwd").find("expected <function>=<builder>"), std::string::npos);
  EXPECT_NE(error_of("fwd=lstm_step_forward:B=x,H=4").find("'B=x' is not an integer"), std::string::npos);
  EXPECT_NE(error_of("fwd=lstm_step:B=1,H=4").find("unknown builder 'lstm_step'"), std::string::npos);
  EXPECT_NE(error_of("fwd=lstm_step_forward:B=1").find("needs size H"), std::string::npos);
  EXPECT_NE(error_of("fwd=lstm_step_forward:B=1,H=4,T=3").find("takes only"), std::string::npos);
}

}  // namespace
