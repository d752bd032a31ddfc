// The default CPU schedule: what it stores and how it loops, and a model-like kernel (dense, tanh, dense,
// the softmax family, reductions, a backward matmul, products of awkward shapes) realized with it on AVX2
// and AVX-512 hosts at sizes that are not multiples of either vector width.
#include "conversion_test.h"

#include "loom/reference/ops.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace loom::conversion::testing {
namespace {

namespace ref = loom::reference;
using Halide::Internal::ForType;

// B = 37 rows, I = 45 inputs, H = 133 hidden units, C = 10 classes. The last four products are a single
// row, a single column, fewer columns than a vector, and a product read only in part, where the schedule's
// tiles must still fit.
const char *const model_kernel = R"mlir(
  func @f(%x: tensor<37x45xf32>, %w: tensor<133x45xf32>, %b: tensor<133xf32>, %v: tensor<10x133xf32>,
          %labels: tensor<37xi32>, %dloss: tensor<f32>)
      -> (tensor<37x10xf32>, tensor<37x10xf32>, tensor<f32>, tensor<37x10xf32>, tensor<37xi32>,
          tensor<133xf32>, tensor<37xf32>, tensor<37x133xf32>,
          tensor<1x133xf32>, tensor<37x1xf32>, tensor<37x3xf32>, tensor<37x3xf32>) {
    %pre = loom.matmul %x, %w {transpose_rhs} : (tensor<37x45xf32>, tensor<133x45xf32>) -> tensor<37x133xf32>
    %biased = loom.bias_add %pre, %b : (tensor<37x133xf32>, tensor<133xf32>) -> tensor<37x133xf32>
    %h = loom.tanh %biased : (tensor<37x133xf32>) -> tensor<37x133xf32>
    %logits = loom.matmul %h, %v {transpose_rhs} : (tensor<37x133xf32>, tensor<10x133xf32>) -> tensor<37x10xf32>
    %p = loom.softmax %logits : (tensor<37x10xf32>) -> tensor<37x10xf32>
    %lp = loom.log_softmax %logits : (tensor<37x10xf32>) -> tensor<37x10xf32>
    %loss = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<37x10xf32>, tensor<37xi32>) -> tensor<f32>
    %grad = loom.sparse_softmax_cross_entropy_grad %logits, %labels, %dloss : (tensor<37x10xf32>, tensor<37xi32>, tensor<f32>) -> tensor<37x10xf32>
    %classes = loom.argmax %logits : (tensor<37x10xf32>) -> tensor<37xi32>
    %mean = loom.reduce_mean %h {axes = [0]} : (tensor<37x133xf32>) -> tensor<133xf32>
    %max = loom.reduce_max %h {axes = [1]} : (tensor<37x133xf32>) -> tensor<37xf32>
    %dh = loom.matmul %grad, %v : (tensor<37x10xf32>, tensor<10x133xf32>) -> tensor<37x133xf32>
    %x36 = loom.slice %x {axis = 0 : i64, start = 36 : i64, size = 1 : i64} : (tensor<37x45xf32>) -> tensor<1x45xf32>
    %row = loom.matmul %x36, %w {transpose_rhs} : (tensor<1x45xf32>, tensor<133x45xf32>) -> tensor<1x133xf32>
    %v9 = loom.slice %v {axis = 0 : i64, start = 9 : i64, size = 1 : i64} : (tensor<10x133xf32>) -> tensor<1x133xf32>
    %column = loom.matmul %h, %v9 {transpose_rhs} : (tensor<37x133xf32>, tensor<1x133xf32>) -> tensor<37x1xf32>
    %v2 = loom.slice %v {axis = 0 : i64, start = 2 : i64, size = 3 : i64} : (tensor<10x133xf32>) -> tensor<3x133xf32>
    %narrow = loom.matmul %h, %v2 {transpose_rhs} : (tensor<37x133xf32>, tensor<3x133xf32>) -> tensor<37x3xf32>
    %again = loom.matmul %x, %w {transpose_rhs} : (tensor<37x45xf32>, tensor<133x45xf32>) -> tensor<37x133xf32>
    %corner = loom.slice %again {axis = 1 : i64, start = 130 : i64, size = 3 : i64} : (tensor<37x133xf32>) -> tensor<37x3xf32>
    return %p, %lp, %loss, %grad, %classes, %mean, %max, %dh, %row, %column, %narrow, %corner : tensor<37x10xf32>,
        tensor<37x10xf32>, tensor<f32>, tensor<37x10xf32>, tensor<37xi32>, tensor<133xf32>, tensor<37xf32>,
        tensor<37x133xf32>, tensor<1x133xf32>, tensor<37x1xf32>, tensor<37x3xf32>, tensor<37x3xf32>
  })mlir";

struct ModelInputs {
  Tensor x = random_tensor({37, 45}, -1, 1, 1), w = random_tensor({133, 45}, -0.3, 0.3, 2),
         b = random_tensor({133}, -0.1, 0.1, 3), v = random_tensor({10, 133}, -0.3, 0.3, 4),
         labels = random_labels(37, 10), dloss{{}, {0.7}};

  std::vector<HalideTensor> tensors() const {
    return {input(x), input(w), input(b), input(v), input(labels, Halide::Int(32)), input(dloss)};
  }
};

/// A Func the outputs call whose name (`<op>_<n>` or `<op>_<n>_<role>`, with Halide's `$<k>` when an
/// earlier test in the process used the name) matches `pattern`.
Halide::Func func_named(const LoweredFunction &lowered, const std::string &pattern) {
  std::regex name("(" + pattern + R"()(\$\d+)?)");
  for (const HalideTensor &output : lowered.outputs) {
    for (const auto &[callee, function] : Halide::Internal::find_transitive_calls(output.func.function())) {
      if (std::regex_match(callee, name))
        return Halide::Func(function);
    }
  }
  ADD_FAILURE() << "no Func matches " << pattern;
  return Halide::Func();
}

/// Where `f` is computed; locked, as Halide requires before a LoopLevel is inspected.
Halide::LoopLevel compute_level(const Halide::Func &f) {
  Halide::LoopLevel level = f.function().schedule().compute_level();
  return level.lock();
}

bool stored(const Halide::Func &f) { return compute_level(f).is_root(); }
bool inlined(const Halide::Func &f) { return compute_level(f).is_inlined(); }

TEST(Schedule, StoresReductionsAndWhatWouldBeRecomputedAndInlinesTheRest) {
  ParsedFunction parsed(model_kernel);
  std::vector<HalideTensor> inputs = ModelInputs().tensors();
  LoweredFunction lowered = lower_function(parsed.function(), inputs);
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());

  // A matmul operand would be recomputed once per output column if inlined.
  EXPECT_TRUE(stored(func_named(lowered, R"(tanh_\d+)")));
  EXPECT_TRUE(stored(func_named(lowered, R"(matmul_\d+_panels)")));
  // Read once per point by its only consumer.
  EXPECT_TRUE(inlined(func_named(lowered, R"(bias_add_\d+)")));
  // softmax reads exp(x - max) in the row sum and again in the result; log_softmax only in the sum.
  EXPECT_TRUE(stored(func_named(lowered, R"(softmax_\d+_exp)")));
  EXPECT_TRUE(inlined(func_named(lowered, R"(log_softmax_\d+_exp)")));
  // The kernel's inputs are read in place, even x, which the first matmul reads once per column.
  for (const HalideTensor &input : inputs)
    EXPECT_TRUE(inlined(input.func));

  // The first matmul [37, 45] x [45, 133] is stored tile by tile, tiles in parallel; each tile's
  // product over the packed panels is computed just before it, columns in vectors and the tile unrolled
  // inside the k loop. Loops are listed innermost first.
  const Halide::Func result = lowered.all[0].func;
  const auto callees = Halide::Internal::find_direct_calls(result.function());
  ASSERT_EQ(callees.size(), 1u) << "the result reads only its panel product";
  const Halide::Func product(callees.begin()->second);
  ASSERT_TRUE(stored(result));
  EXPECT_EQ(compute_level(product).func(), result.name());
  const auto &tiles = result.function().definition().schedule().dims();
  EXPECT_TRUE(std::any_of(tiles.begin(), tiles.end(),
                          [](const auto &d) { return d.for_type == ForType::Parallel; }));
  const std::vector<Halide::Internal::Dim> &loops = product.function().update(0).schedule().dims();
  ASSERT_GE(loops.size(), 5u);
  EXPECT_EQ(loops[0].for_type, ForType::Vectorized);
  for (size_t i = 1; i < loops.size() && !loops[i].is_rvar(); ++i)
    EXPECT_EQ(loops[i].for_type, ForType::Unrolled) << loops[i].var;
  EXPECT_TRUE(std::any_of(loops.begin(), loops.end(), [](const auto &d) { return d.is_rvar(); }));
}

// A code generator may copy each result into an output Func of its own, which lower_op did not make and
// which has no estimates; the tensor's shape stands in for them.
TEST(Schedule, OutputCopiesAreSizedByTheirTensorShape) {
  ParsedFunction parsed(R"mlir(
    func @f(%x: tensor<300x300xf32>) -> tensor<300x300xf32> {
      %y = loom.tanh %x : (tensor<300x300xf32>) -> tensor<300x300xf32>
      return %y : tensor<300x300xf32>
    })mlir");
  LoweredFunction lowered = lower_function(parsed.function(), {input(random_tensor({300, 300}))});
  Halide::Func copy("out0");
  Halide::Var c, r;
  copy(c, r) = lowered.outputs[0].func(c, r);
  schedule_cpu(lowered.all, {{copy, {300, 300}, Halide::Float(32)}}, avx512_target());

  EXPECT_TRUE(inlined(lowered.outputs[0].func));
  const std::vector<Halide::Internal::Dim> &loops = copy.function().definition().schedule().dims();
  EXPECT_EQ(loops[0].for_type, ForType::Vectorized);
  EXPECT_TRUE(std::any_of(loops.begin(), loops.end(),
                          [](const auto &d) { return d.for_type == ForType::Parallel; }))
      << "90000 points make enough parallel tasks";
}

bool has_loop(const Halide::Func &f, ForType type) {
  const auto &loops = f.function().definition().schedule().dims();
  return std::any_of(loops.begin(), loops.end(), [&](const auto &d) { return d.for_type == type; });
}

// 64 x 512 points (a GRU step at batch 64) are too few for parallel tasks of an add, not of gate math.
TEST(Schedule, CostlyPointsRunInParallelWhereCheapOnesWouldNot) {
  ParsedFunction parsed(R"mlir(
    func @f(%a: tensor<64x512xf32>, %b: tensor<64x512xf32>) -> (tensor<64x512xf32>, tensor<64x512xf32>) {
      %sum = loom.add %a, %b : (tensor<64x512xf32>, tensor<64x512xf32>) -> tensor<64x512xf32>
      %g = loom.sigmoid %a : (tensor<64x512xf32>) -> tensor<64x512xf32>
      %t = loom.tanh %b : (tensor<64x512xf32>) -> tensor<64x512xf32>
      %gate = loom.mul %g, %t : (tensor<64x512xf32>, tensor<64x512xf32>) -> tensor<64x512xf32>
      return %sum, %gate : tensor<64x512xf32>, tensor<64x512xf32>
    })mlir");
  LoweredFunction lowered = lower_function(parsed.function(), {input(random_tensor({64, 512}, -1, 1, 31)),
                                                               input(random_tensor({64, 512}, -1, 1, 32))});
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  EXPECT_FALSE(has_loop(lowered.outputs[0].func, ForType::Parallel));
  EXPECT_TRUE(has_loop(lowered.outputs[1].func, ForType::Parallel)) << "two exps and two divisions a point";
}

// Concatenations along the columns: of whole vectors (5 pieces of 16 columns), looped piece by piece,
// and of pieces no vector width divides (7 and 9 columns), looped as usual. Both read two
// differently computed pieces, so a vector given the other piece's branch would show.
const char *const concat_kernel = R"mlir(
  func @f(%a: tensor<5x32xf32>, %b: tensor<5x48xf32>, %c: tensor<5x7xf32>, %d: tensor<5x9xf32>)
      -> (tensor<5x80xf32>, tensor<5x16xf32>) {
    %ta = loom.tanh %a : (tensor<5x32xf32>) -> tensor<5x32xf32>
    %sb = loom.sigmoid %b : (tensor<5x48xf32>) -> tensor<5x48xf32>
    %whole = loom.concat %ta, %sb {axis = 1 : i64} : (tensor<5x32xf32>, tensor<5x48xf32>) -> tensor<5x80xf32>
    %tc = loom.tanh %c : (tensor<5x7xf32>) -> tensor<5x7xf32>
    %sd = loom.sigmoid %d : (tensor<5x9xf32>) -> tensor<5x9xf32>
    %odd = loom.concat %tc, %sd {axis = 1 : i64} : (tensor<5x7xf32>, tensor<5x9xf32>) -> tensor<5x16xf32>
    return %whole, %odd : tensor<5x80xf32>, tensor<5x16xf32>
  })mlir";

struct ConcatInputs {
  Tensor a = random_tensor({5, 32}, -2, 2, 11), b = random_tensor({5, 48}, -2, 2, 12),
         c = random_tensor({5, 7}, -2, 2, 13), d = random_tensor({5, 9}, -2, 2, 14);
  std::vector<HalideTensor> tensors() const { return {input(a), input(b), input(c), input(d)}; }
};

/// tanh of `left`'s columns, then the sigmoid of `right`'s, row by row.
std::vector<double> tanh_then_sigmoid(const Tensor &left, const Tensor &right) {
  const size_t rows = size_t(left.shape[0]), l = size_t(left.shape[1]), r = size_t(right.shape[1]);
  std::vector<double> expected;
  for (size_t row = 0; row < rows; ++row) {
    for (size_t j = 0; j < l; ++j)
      expected.push_back(std::tanh(double(left.values[row * l + j])));
    for (size_t j = 0; j < r; ++j)
      expected.push_back(1 / (1 + std::exp(-double(right.values[row * r + j]))));
  }
  return expected;
}

TEST(Schedule, ConcatenationOfWholeVectorsLoopsPieceByPiece) {
  ParsedFunction parsed(concat_kernel);
  LoweredFunction lowered = lower_function(parsed.function(), ConcatInputs().tensors());
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  const Halide::Func whole = lowered.outputs[0].func, odd = lowered.outputs[1].func;
  EXPECT_TRUE(has_loop(whole, ForType::Unrolled)) << "the loop over the 16-column pieces";
  EXPECT_TRUE(has_loop(whole, ForType::Vectorized));
  EXPECT_FALSE(has_loop(odd, ForType::Unrolled)) << "7 and 9 columns are not whole vectors";
  EXPECT_TRUE(has_loop(odd, ForType::Vectorized));
}

// Matmul results read through element-wise Funcs: a biased input projection over a sequence (3-D, 12
// rows a step), an activation of a biased product, and a projection of one row a step.
const char *const epilogue_kernel = R"mlir(
  func @f(%x: tensor<3x12x32xf32>, %w: tensor<128x32xf32>, %b: tensor<128xf32>, %v: tensor<36x32xf32>,
          %one: tensor<5x1x32xf32>)
      -> (tensor<3x12x128xf32>, tensor<36x128xf32>, tensor<36x128xf32>, tensor<5x1x128xf32>) {
    %xs = loom.reshape %x : (tensor<3x12x32xf32>) -> tensor<36x32xf32>
    %p = loom.matmul %xs, %w {transpose_rhs} : (tensor<36x32xf32>, tensor<128x32xf32>) -> tensor<36x128xf32>
    %p3 = loom.reshape %p : (tensor<36x128xf32>) -> tensor<3x12x128xf32>
    %projected = loom.bias_add %p3, %b : (tensor<3x12x128xf32>, tensor<128xf32>) -> tensor<3x12x128xf32>
    %q = loom.matmul %v, %w {transpose_rhs} : (tensor<36x32xf32>, tensor<128x32xf32>) -> tensor<36x128xf32>
    %qb = loom.bias_add %q, %b : (tensor<36x128xf32>, tensor<128xf32>) -> tensor<36x128xf32>
    %t = loom.tanh %qb : (tensor<36x128xf32>) -> tensor<36x128xf32>
    %tt = loom.mul %t, %t : (tensor<36x128xf32>, tensor<36x128xf32>) -> tensor<36x128xf32>
    %ones = loom.reshape %one : (tensor<5x1x32xf32>) -> tensor<5x32xf32>
    %r = loom.matmul %ones, %w {transpose_rhs} : (tensor<5x32xf32>, tensor<128x32xf32>) -> tensor<5x128xf32>
    %r3 = loom.reshape %r : (tensor<5x128xf32>) -> tensor<5x1x128xf32>
    %single = loom.bias_add %r3, %b : (tensor<5x1x128xf32>, tensor<128xf32>) -> tensor<5x1x128xf32>
    return %projected, %t, %tt, %single : tensor<3x12x128xf32>, tensor<36x128xf32>, tensor<36x128xf32>, tensor<5x1x128xf32>
  })mlir";

struct EpilogueInputs {
  Tensor x = random_tensor({3, 12, 32}, -1, 1, 21), w = random_tensor({128, 32}, -0.3, 0.3, 22),
         b = random_tensor({128}, -0.5, 0.5, 23), v = random_tensor({36, 32}, -1, 1, 24),
         one = random_tensor({5, 1, 32}, -1, 1, 25);
  std::vector<HalideTensor> tensors() const { return {input(x), input(w), input(b), input(v), input(one)}; }
};

/// The Func whose tiles compute the panel product `product` (a matmul's product): the Func it is
/// computed at.
std::string tiles_of(const Halide::Func &product) { return compute_level(product).func(); }

TEST(Schedule, ElementwiseReaderOfAMatmulStoresItTileByTile) {
  ParsedFunction parsed(epilogue_kernel);
  LoweredFunction lowered = lower_function(parsed.function(), EpilogueInputs().tensors());
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  const Halide::Func projected = lowered.outputs[0].func, t = lowered.outputs[1].func,
                     single = lowered.outputs[3].func;
  auto product_of = [&](const Halide::Func &result) {
    const auto callees = Halide::Internal::find_direct_calls(result.function());
    EXPECT_EQ(callees.size(), 1u) << result.name() << " reads only its panel product";
    return Halide::Func(callees.begin()->second);
  };
  const Halide::Func p = func_named(lowered, R"(matmul_\d+)"); // the first matmul, %p
  // The bias add over 3 steps of 12 rows stores the product's tiles itself, steps and column tiles in
  // one parallel loop; the result is never stored.
  EXPECT_TRUE(inlined(p));
  EXPECT_EQ(tiles_of(product_of(p)), projected.name());
  EXPECT_TRUE(has_loop(projected, ForType::Parallel));
  // tanh(q + b) is an output: its tiles compute q's product, and tanh * tanh reads it.
  EXPECT_TRUE(stored(t));
  // One row a step would stream the whole right operand once per step: that result is stored as a whole.
  EXPECT_TRUE(std::any_of(lowered.all.begin(), lowered.all.end(), [&](const HalideTensor &tensor) {
    const Halide::Func f = tensor.func;
    return f.dimensions() == 2 && tensor.shape == std::vector<int64_t>{5, 128} && stored(f) &&
           tiles_of(product_of(f)) == f.name();
  })) << "the [5, 128] product of one row a step";
  EXPECT_FALSE(has_loop(single, ForType::Unrolled)) << "the 3-D bias add of one row a step is a plain loop";
}

// One row times [256, 256] (a tanh RNN step at batch 1) is 65K multiply-adds: it runs on one thread, where
// [256, 1024] (an LSTM's four gates) runs in parallel.
TEST(Schedule, OneRowProductsRunInParallelOnlyWithTwiceTheWork) {
  ParsedFunction parsed(R"mlir(
    func @f(%h: tensor<1x256xf32>, %u: tensor<256x256xf32>, %w: tensor<1024x256xf32>)
        -> (tensor<1x256xf32>, tensor<1x1024xf32>) {
      %a = loom.matmul %h, %u {transpose_rhs} : (tensor<1x256xf32>, tensor<256x256xf32>) -> tensor<1x256xf32>
      %b = loom.matmul %h, %w {transpose_rhs} : (tensor<1x256xf32>, tensor<1024x256xf32>) -> tensor<1x1024xf32>
      return %a, %b : tensor<1x256xf32>, tensor<1x1024xf32>
    })mlir");
  LoweredFunction lowered = lower_function(
      parsed.function(), {input(random_tensor({1, 256})), input(random_tensor({256, 256})), input(random_tensor({1024, 256}))});
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  EXPECT_FALSE(has_loop(lowered.outputs[0].func, ForType::Parallel)) << "[1, 256] x [256, 256]";
  EXPECT_TRUE(has_loop(lowered.outputs[1].func, ForType::Parallel)) << "[1, 256] x [256, 1024]";
}

// A recurrent step's pre-activation: x W^T + b + h U^T + c over 40 rows (not a multiple of the 6-row tile)
// and 96 columns (one and a half AVX-512 tiles). %s sums two products read only there; %twice sums one
// that is also returned on its own.
const char *const sum_kernel = R"mlir(
  func @f(%x: tensor<40x24xf32>, %w: tensor<96x24xf32>, %b: tensor<96xf32>, %h: tensor<40x32xf32>,
          %u: tensor<96x32xf32>, %c: tensor<96xf32>)
      -> (tensor<40x96xf32>, tensor<40x96xf32>, tensor<40x96xf32>) {
    %p = loom.matmul %x, %w {transpose_rhs} : (tensor<40x24xf32>, tensor<96x24xf32>) -> tensor<40x96xf32>
    %q = loom.bias_add %p, %b : (tensor<40x96xf32>, tensor<96xf32>) -> tensor<40x96xf32>
    %r = loom.matmul %h, %u {transpose_rhs} : (tensor<40x32xf32>, tensor<96x32xf32>) -> tensor<40x96xf32>
    %t = loom.bias_add %r, %c : (tensor<40x96xf32>, tensor<96xf32>) -> tensor<40x96xf32>
    %s = loom.add %q, %t : (tensor<40x96xf32>, tensor<40x96xf32>) -> tensor<40x96xf32>
    %n = loom.tanh %s : (tensor<40x96xf32>) -> tensor<40x96xf32>
    %p2 = loom.matmul %x, %w {transpose_rhs} : (tensor<40x24xf32>, tensor<96x24xf32>) -> tensor<40x96xf32>
    %r2 = loom.matmul %h, %u {transpose_rhs} : (tensor<40x32xf32>, tensor<96x32xf32>) -> tensor<40x96xf32>
    %twice = loom.add %p2, %r2 : (tensor<40x96xf32>, tensor<40x96xf32>) -> tensor<40x96xf32>
    return %n, %twice, %p2 : tensor<40x96xf32>, tensor<40x96xf32>, tensor<40x96xf32>
  })mlir";

struct SumInputs {
  Tensor x = random_tensor({40, 24}, -1, 1, 31), w = random_tensor({96, 24}, -0.3, 0.3, 32),
         b = random_tensor({96}, -0.5, 0.5, 33), h = random_tensor({40, 32}, -1, 1, 34),
         u = random_tensor({96, 32}, -0.3, 0.3, 35), c = random_tensor({96}, -0.5, 0.5, 36);

  std::vector<HalideTensor> tensors() const { return {input(x), input(w), input(b), input(h), input(u), input(c)}; }
};

TEST(Schedule, SumOfTwoProductsAccumulatesInOneTile) {
  ParsedFunction parsed(sum_kernel);
  LoweredFunction lowered = lower_function(parsed.function(), SumInputs().tensors());
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  // tanh(%s) reads one panel product with a reduction per term, computed in its tiles; neither matmul's
  // own product is read.
  const Halide::Func products = func_named(lowered, R"(add_\d+_products_panel_product)");
  ASSERT_TRUE(products.defined());
  EXPECT_EQ(products.num_update_definitions(), 2);
  EXPECT_EQ(tiles_of(products), lowered.outputs[0].func.name());
  const std::regex matmul_product(R"(matmul_\d+(_panel_product)?(\$\d+)?)");
  for (const auto &[callee, function] : Halide::Internal::find_transitive_calls(lowered.outputs[0].func.function()))
    EXPECT_FALSE(std::regex_match(callee, matmul_product)) << callee << " is read by tanh(x W^T + b + h U^T + c)";
  // A product also read on its own is not folded into the sum, which adds the two stored results.
  const auto sum_reads = Halide::Internal::find_direct_calls(lowered.outputs[1].func.function());
  EXPECT_EQ(sum_reads.size(), 2u);
  for (const auto &[callee, function] : sum_reads)
    EXPECT_EQ(callee.find("panel_product"), std::string::npos) << callee;
}

// Recurrent steps whose gates are slices of whole panels: an LSTM step (4 gates of 32 columns over 20
// rows, not a multiple of any tile) and a GRU step (linear-before-reset: the input and recurrent products
// are sliced apart, both read by every gate).
const char *const gated_kernel = R"mlir(
  func @f(%x: tensor<20x24xf32>, %w: tensor<128x24xf32>, %h: tensor<20x32xf32>, %u: tensor<128x32xf32>,
          %b: tensor<128xf32>, %c: tensor<20x32xf32>, %v: tensor<96x24xf32>, %r: tensor<96x32xf32>,
          %bv: tensor<96xf32>, %br: tensor<96xf32>)
      -> (tensor<20x32xf32>, tensor<20x32xf32>, tensor<20x32xf32>) {
    %xw = loom.matmul %x, %w {transpose_rhs} : (tensor<20x24xf32>, tensor<128x24xf32>) -> tensor<20x128xf32>
    %hu = loom.matmul %h, %u {transpose_rhs} : (tensor<20x32xf32>, tensor<128x32xf32>) -> tensor<20x128xf32>
    %sum = loom.add %xw, %hu : (tensor<20x128xf32>, tensor<20x128xf32>) -> tensor<20x128xf32>
    %gates = loom.bias_add %sum, %b : (tensor<20x128xf32>, tensor<128xf32>) -> tensor<20x128xf32>
    %si = loom.slice %gates {axis = 1 : i64, start = 0 : i64, size = 32 : i64} : (tensor<20x128xf32>) -> tensor<20x32xf32>
    %sf = loom.slice %gates {axis = 1 : i64, start = 32 : i64, size = 32 : i64} : (tensor<20x128xf32>) -> tensor<20x32xf32>
    %sg = loom.slice %gates {axis = 1 : i64, start = 64 : i64, size = 32 : i64} : (tensor<20x128xf32>) -> tensor<20x32xf32>
    %so = loom.slice %gates {axis = 1 : i64, start = 96 : i64, size = 32 : i64} : (tensor<20x128xf32>) -> tensor<20x32xf32>
    %i = loom.sigmoid %si : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %f = loom.sigmoid %sf : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %g = loom.tanh %sg : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %o = loom.sigmoid %so : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %fc = loom.mul %f, %c : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %ig = loom.mul %i, %g : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %c2 = loom.add %fc, %ig : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %tc = loom.tanh %c2 : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %h2 = loom.mul %o, %tc : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %xv = loom.matmul %x, %v {transpose_rhs} : (tensor<20x24xf32>, tensor<96x24xf32>) -> tensor<20x96xf32>
    %xb = loom.bias_add %xv, %bv : (tensor<20x96xf32>, tensor<96xf32>) -> tensor<20x96xf32>
    %hr = loom.matmul %h, %r {transpose_rhs} : (tensor<20x32xf32>, tensor<96x32xf32>) -> tensor<20x96xf32>
    %hb = loom.bias_add %hr, %br : (tensor<20x96xf32>, tensor<96xf32>) -> tensor<20x96xf32>
    %xr = loom.slice %xb {axis = 1 : i64, start = 0 : i64, size = 32 : i64} : (tensor<20x96xf32>) -> tensor<20x32xf32>
    %xz = loom.slice %xb {axis = 1 : i64, start = 32 : i64, size = 32 : i64} : (tensor<20x96xf32>) -> tensor<20x32xf32>
    %xn = loom.slice %xb {axis = 1 : i64, start = 64 : i64, size = 32 : i64} : (tensor<20x96xf32>) -> tensor<20x32xf32>
    %hr_ = loom.slice %hb {axis = 1 : i64, start = 0 : i64, size = 32 : i64} : (tensor<20x96xf32>) -> tensor<20x32xf32>
    %hz = loom.slice %hb {axis = 1 : i64, start = 32 : i64, size = 32 : i64} : (tensor<20x96xf32>) -> tensor<20x32xf32>
    %hn = loom.slice %hb {axis = 1 : i64, start = 64 : i64, size = 32 : i64} : (tensor<20x96xf32>) -> tensor<20x32xf32>
    %ar = loom.add %xr, %hr_ : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %az = loom.add %xz, %hz : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %rg = loom.sigmoid %ar : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %zg = loom.sigmoid %az : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %rn = loom.mul %rg, %hn : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %an = loom.add %xn, %rn : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %n = loom.tanh %an : (tensor<20x32xf32>) -> tensor<20x32xf32>
    %d = loom.sub %h, %n : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %zd = loom.mul %zg, %d : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    %gru = loom.add %n, %zd : (tensor<20x32xf32>, tensor<20x32xf32>) -> tensor<20x32xf32>
    return %h2, %c2, %gru : tensor<20x32xf32>, tensor<20x32xf32>, tensor<20x32xf32>
  })mlir";

/// `lowered` with its outputs copied into Funcs of their own, `out<i>` of (d0, d1, ...), as the model code
/// generator writes them (ModelCodegen.cpp): then no output reads another, and all loop alike.
LoweredFunction with_output_copies(LoweredFunction lowered) {
  for (size_t i = 0; i < lowered.outputs.size(); ++i) {
    HalideTensor &output = lowered.outputs[i];
    Halide::Func copy("out" + std::to_string(i));
    std::vector<Halide::Var> vars;
    for (int d = 0; d < output.func.dimensions(); ++d)
      vars.emplace_back("d" + std::to_string(d));
    copy(vars) = output.func(vars);
    output.func = copy;
  }
  return lowered;
}

struct GatedInputs {
  Tensor x = random_tensor({20, 24}, -1, 1, 41), w = random_tensor({128, 24}, -0.3, 0.3, 42),
         h = random_tensor({20, 32}, -1, 1, 43), u = random_tensor({128, 32}, -0.3, 0.3, 44),
         b = random_tensor({128}, -0.5, 0.5, 45), c = random_tensor({20, 32}, -1, 1, 46),
         v = random_tensor({96, 24}, -0.3, 0.3, 47), r = random_tensor({96, 32}, -0.3, 0.3, 48),
         bv = random_tensor({96}, -0.5, 0.5, 49), br = random_tensor({96}, -0.5, 0.5, 50);

  std::vector<HalideTensor> tensors() const {
    return {input(x), input(w), input(h), input(u), input(b), input(c), input(v), input(r), input(bv), input(br)};
  }
};

/// The gated products of a lowered gated_kernel, by name: `add_<n>_products_panel_product` (the LSTM's x W^T
/// + h U^T) and the GRU's `matmul_<n>_panel_product` that its outputs read.
std::vector<Halide::Func> gated_products(const LoweredFunction &lowered) {
  std::vector<Halide::Func> found;
  const std::regex gated(R"((add_\d+_products|matmul_\d+)_panel_product(\$\d+)?)");
  std::set<std::string> seen;
  for (const HalideTensor &output : lowered.outputs) {
    for (const auto &[callee, function] : Halide::Internal::find_transitive_calls(output.func.function())) {
      if (std::regex_match(callee, gated) && seen.insert(callee).second)
        found.emplace_back(function);
    }
  }
  return found;
}

TEST(Schedule, GatedStepsComputeEveryGateTileByTileWithTheirOutputs) {
  ParsedFunction parsed(gated_kernel);
  LoweredFunction lowered = with_output_copies(lower_function(parsed.function(), GatedInputs().tensors()));
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  const Halide::Func h2 = lowered.outputs[0].func, c2 = lowered.outputs[1].func, gru = lowered.outputs[2].func;
  const std::vector<Halide::Func> products = gated_products(lowered);
  ASSERT_EQ(products.size(), 3u) << "the LSTM's summed product and the GRU's two";
  for (const Halide::Func &product : products) {
    // [G, H/P, M, P]: column j of panel q of gate g at row m.
    EXPECT_EQ(product.dimensions(), 4) << product.name();
    const bool lstm = product.name().find("products") != std::string::npos;
    EXPECT_EQ(product.num_update_definitions(), lstm ? 2 : 1) << product.name();
    // Computed per tile of an output, never stored whole: the LSTM's by its h and c (fused with
    // compute_with), the GRU's two both by the GRU's output.
    const std::string tiles = tiles_of(product);
    if (lstm)
      EXPECT_TRUE(tiles == h2.name() || tiles == c2.name()) << product.name() << " at " << tiles;
    else
      EXPECT_EQ(tiles, gru.name()) << product.name();
  }
  EXPECT_TRUE(stored(h2) && stored(c2) && stored(gru));
  // The new cell state, read by h and by the c output, is computed per tile, never stored whole.
  const auto c_reads = Halide::Internal::find_direct_calls(c2.function());
  ASSERT_EQ(c_reads.size(), 1u) << "the c output copies the new cell state";
  const Halide::Func c_new(c_reads.begin()->second);
  ASSERT_TRUE(c_new.defined());
  EXPECT_FALSE(stored(c_new)) << c_new.name();
  EXPECT_FALSE(inlined(c_new)) << c_new.name();
}

// Without the copies, the LSTM's h reads its c output: outputs fused with compute_with cannot, so its gates
// are stored at root tile by tile; the GRU's step still computes its products per tile.
TEST(Schedule, GatedStepWhoseOutputReadsAnotherStoresItsProduct) {
  ParsedFunction parsed(gated_kernel);
  LoweredFunction lowered = lower_function(parsed.function(), GatedInputs().tensors());
  schedule_cpu(lowered.all, lowered.outputs, avx512_target());
  for (const Halide::Func &product : gated_products(lowered)) {
    const std::string tiles = tiles_of(product);
    if (product.name().find("products") == std::string::npos) {
      EXPECT_EQ(tiles, lowered.outputs[2].func.name()) << product.name();
      continue;
    }
    for (const HalideTensor &output : lowered.outputs)
      EXPECT_NE(tiles, output.func.name()) << product.name();
    EXPECT_NE(tiles.find("panel_product"), std::string::npos) << "stored through a wrapper: " << tiles;
  }
  // Copies that name their loops apart cannot be fused either (compute_with needs the same names).
  LoweredFunction apart = lower_function(parsed.function(), GatedInputs().tensors());
  for (HalideTensor &output : apart.outputs) {
    Halide::Func copy(output.func.name() + "_copy");
    Halide::Var column, row;
    copy(column, row) = output.func(column, row);
    output.func = copy;
  }
  schedule_cpu(apart.all, apart.outputs, avx512_target());
  for (const Halide::Func &product : gated_products(apart)) {
    if (product.name().find("products") != std::string::npos)
      EXPECT_NE(tiles_of(product).find("panel_product"), std::string::npos) << product.name();
  }
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

void expect_gated_kernel_matches_reference(const Halide::Target &target) {
  GatedInputs in;
  const int B = 20, I = 24, H = 32;
  ParsedFunction parsed(gated_kernel);
  auto fused = realize(with_output_copies(lower_function(parsed.function(), in.tensors())), target);
  auto stored = run(gated_kernel, in.tensors(), target);
  std::vector<double> gates = ref::dense_forward(in.x.values, in.w.values, in.b.values, B, I, 4 * H);
  std::vector<double> hu = ref::dense_forward(in.h.values, in.u.values, std::vector<double>(4 * H, 0.0), B, H, 4 * H);
  std::vector<double> xb = ref::dense_forward(in.x.values, in.v.values, in.bv.values, B, I, 3 * H);
  std::vector<double> hb = ref::dense_forward(in.h.values, in.r.values, in.br.values, B, H, 3 * H);
  std::vector<double> h2(B * H), c2(B * H), gru(B * H);
  for (int m = 0; m < B; ++m) {
    for (int n = 0; n < H; ++n) {
      auto gate = [&](int g) { return gates[m * 4 * H + g * H + n] + hu[m * 4 * H + g * H + n]; };
      const int k = m * H + n;
      c2[k] = sigmoid(gate(1)) * in.c.values[k] + sigmoid(gate(0)) * std::tanh(gate(2));
      h2[k] = sigmoid(gate(3)) * std::tanh(c2[k]);
      auto x_at = [&](int g) { return xb[m * 3 * H + g * H + n]; };
      auto h_at = [&](int g) { return hb[m * 3 * H + g * H + n]; };
      const double r = sigmoid(x_at(0) + h_at(0)), z = sigmoid(x_at(1) + h_at(1));
      const double cand = std::tanh(x_at(2) + r * h_at(2));
      gru[k] = cand + z * (in.h.values[k] - cand);
    }
  }
  expect_close(stored[0], h2, "LSTM step h, gates stored");
  expect_close(stored[1], c2, "LSTM step c, gates stored");
  expect_close(stored[2], gru, "GRU step (linear before reset)");
  expect_close(fused[0], h2, "LSTM step h, fused with c");
  expect_close(fused[1], c2, "LSTM step c, fused with h");
  expect_close(fused[2], gru, "GRU step, both products per tile");
}

void expect_sum_kernel_matches_reference(const Halide::Target &target) {
  SumInputs in;
  auto results = run(sum_kernel, in.tensors(), target);
  const std::vector<double> zero(96, 0.0);
  std::vector<double> xw = ref::dense_forward(in.x.values, in.w.values, zero, 40, 24, 96),
                      hu = ref::dense_forward(in.h.values, in.u.values, zero, 40, 32, 96);
  std::vector<double> pre(xw.size()), sum(xw.size());
  for (size_t i = 0; i < xw.size(); ++i) {
    pre[i] = xw[i] + in.b.values[i % 96] + hu[i] + in.c.values[i % 96];
    sum[i] = xw[i] + hu[i];
  }
  expect_close(results[0], ref::tanh_forward(pre), "tanh(x W^T + b + h U^T + c), both products in one tile");
  expect_close(results[1], sum, "x W^T + h U^T with x W^T also returned");
  expect_close(results[2], xw, "x W^T");
}

void expect_epilogue_kernel_matches_reference(const Halide::Target &target) {
  EpilogueInputs in;
  auto results = run(epilogue_kernel, in.tensors(), target);
  std::vector<double> projected = ref::dense_forward(in.x.values, in.w.values, in.b.values, 36, 32, 128);
  std::vector<double> t = ref::tanh_forward(ref::dense_forward(in.v.values, in.w.values, in.b.values, 36, 32, 128));
  std::vector<double> tt(t.size());
  for (size_t i = 0; i < t.size(); ++i)
    tt[i] = t[i] * t[i];
  expect_close(results[0], projected, "bias add of a projection over 3 steps of 12 rows");
  expect_close(results[1], t, "tanh of a biased product");
  expect_close(results[2], tt, "its square");
  expect_close(results[3], ref::dense_forward(in.one.values, in.w.values, in.b.values, 5, 32, 128),
               "bias add of a projection of one row a step");
}

void expect_concat_kernel_matches_reference(const Halide::Target &target) {
  ConcatInputs in;
  auto results = run(concat_kernel, in.tensors(), target);
  expect_close(results[0], tanh_then_sigmoid(in.a, in.b), "concat of 32 and 48 columns");
  expect_close(results[1], tanh_then_sigmoid(in.c, in.d), "concat of 7 and 9 columns");
}

void expect_model_kernel_matches_reference(const Halide::Target &target) {
  ModelInputs in;
  auto results = run(model_kernel, in.tensors(), target);

  std::vector<double> xw =
      ref::dense_forward(in.x.values, in.w.values, std::vector<double>(133, 0.0), 37, 45, 133);
  std::vector<double> h = ref::tanh_forward(ref::bias_add_forward(xw, in.b.values, 37, 133));
  std::vector<double> logits = ref::dense_forward(h, in.v.values, std::vector<double>(10, 0.0), 37, 133, 10);
  std::vector<int> labels(in.labels.values.begin(), in.labels.values.end());
  ref::SoftmaxCrossEntropy<double> loss = ref::sparse_softmax_cross_entropy(logits, labels, 37, 10);
  for (double &d : loss.dlogits)
    d *= in.dloss.values[0];
  std::vector<int> classes = ref::argmax(logits, 37, 10);

  expect_close(results[0], ref::softmax_forward(logits, 37, 10), "softmax of dense(tanh(dense))");
  expect_close(results[1], ref::log_softmax_forward(logits, 37, 10), "log_softmax");
  expect_close(results[2], {loss.loss}, "sparse_softmax_cross_entropy");
  expect_close(results[3], loss.dlogits, "sparse_softmax_cross_entropy_grad");
  expect_close(results[4], std::vector<double>(classes.begin(), classes.end()), "argmax");
  expect_close(results[5], ref::mean_forward(h, {1, 37, 133}), "reduce_mean axes [0]");
  expect_close(results[6], ref::max_forward(h, {37, 133, 1}), "reduce_max axes [1]");
  expect_close(results[7], ref::matmul_forward(loss.dlogits, in.v.values, 37, 10, 133),
               "matmul [37, 10] x [10, 133]");
  expect_close(results[8], ref::slice_columns_forward(xw, 1, 37 * 133, 36 * 133, 133), "matmul of one row");
  expect_close(results[9], ref::slice_columns_forward(logits, 37, 10, 9, 1), "matmul to one column");
  expect_close(results[10], ref::slice_columns_forward(logits, 37, 10, 2, 3), "matmul to three columns");
  expect_close(results[11], ref::slice_columns_forward(xw, 37, 133, 130, 3), "matmul read only in part");
}

TEST(Schedule, ModelKernelMatchesReferenceOnAvx2) {
  if (!Halide::get_host_target().has_feature(Halide::Target::AVX2))
    GTEST_SKIP() << "this host has no AVX2";
  expect_model_kernel_matches_reference(avx2_target());
  expect_concat_kernel_matches_reference(avx2_target());
  expect_epilogue_kernel_matches_reference(avx2_target());
  expect_sum_kernel_matches_reference(avx2_target());
  expect_gated_kernel_matches_reference(avx2_target());
}

TEST(Schedule, ModelKernelMatchesReferenceOnAvx512) {
  if (!Halide::get_host_target().has_feature(Halide::Target::AVX512_Skylake))
    GTEST_SKIP() << "this host has no AVX-512";
  expect_model_kernel_matches_reference(avx512_target());
  expect_concat_kernel_matches_reference(avx512_target());
  expect_epilogue_kernel_matches_reference(avx512_target());
  expect_sum_kernel_matches_reference(avx512_target());
  expect_gated_kernel_matches_reference(avx512_target());
}

} // namespace
} // namespace loom::conversion::testing
