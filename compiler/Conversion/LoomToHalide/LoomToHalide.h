// Translates loom ops into Halide Funcs, one op at a time: the algorithm half of every Loom kernel.
// The code generator strings these Funcs into pipelines; CpuSchedule.h gives them a schedule.
#pragma once

#include "Halide.h"
#include "mlir/IR/Operation.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loom::conversion {

struct PanelSum;

/// A tensor [M, G * H] seen gate by gate: `func` (n, m, g) holds column g * H + n. See HalideTensor.
struct GateView {
  Halide::Func func;
  int64_t size; // H, a whole number of panels
};

/// A tensor as Halide sees it: a Func over pure Vars. Halide dimension 0 is the LAST (innermost,
/// contiguous) tensor axis, so a row-major [T, B, I] tensor is f(i, b, t); a scalar (0-D tensor) is a
/// Func of no arguments. `shape` is in tensor order. `panel_sum` is set on a matmul's result and on a
/// bias_add of one (LoomToHalide.cpp): the products and biases it adds up, so that an add of two of them
/// (x W_ih^T + b_ih + h W_hh^T + b_hh in a recurrent step) accumulates both products in one register
/// tile instead of storing each.
///
/// `by_gate` is set on a product [M, G * H] (plus biases and sums of its shape) that the IR reads only
/// through its G gate slices of H columns (an LSTM's or GRU's gate pre-activations): its product is then
/// computed per panel of H for all G gates at once, and a slice reads its gate from the view. So one tile
/// of the step's outputs (h, c) needs one tile of every gate, and the schedule computes the whole step in
/// one loop nest (CpuSchedule.cpp, gated products).
struct HalideTensor {
  Halide::Func func;
  std::vector<int64_t> shape;
  Halide::Type type;
  std::shared_ptr<const PanelSum> panel_sum = nullptr;
  std::optional<GateView> by_gate = std::nullopt;
};

/// Translates one loom op, given its operands' tensors in operand order, into one tensor per result.
///
/// Every op gets fresh Funcs named `name` (the result) and `<name>_<role>` (`matmul_3_panels`,
/// `softmax_7_row_max`, ...); the code generator names an op `<op>_<i>`, i its place among the kernel's
/// ops, so that names stay the same across targets and builds for custom schedules to use. Without a
/// name, the op's and a process-wide count make one. Every Func carries Halide estimates of its extents:
/// the schedules read them, and so can Halide's autoschedulers. The Funcs have no schedule; see
/// schedule_cpu().
///
/// Throws std::runtime_error naming the op and its location when the op is one the code generator
/// handles itself (input, parameter, output, loss, parameter_gradient, adam_update, scan, yield) or has
/// no translation, when the operands do not match the op's operand types, or when Halide rejects the
/// definition.
std::vector<HalideTensor> lower_op(mlir::Operation *op, const std::vector<HalideTensor> &operands,
                                   const std::string &name = "");

/// A loom.matmul reads its right operand as panels of P = lower::kPanelWidth columns
/// (loom/lower/panel_gemm.h): a [ceil(N/P), K, P] tensor holding column p*P + i of the effective right
/// operand B [K, N] (rhs, or rhs transposed) at [p, k, i], zero past N. lower_op packs it inside the
/// kernel; a code generator that calls the product repeatedly with one right operand (a recurrent weight
/// inside a scan) packs it once with pack_matmul_rhs and lowers the product with lower_matmul_packed.
/// packed_rhs_shape gives the panels' shape. All three throw like lower_op.
std::vector<int64_t> packed_rhs_shape(mlir::Operation *matmul);
HalideTensor pack_matmul_rhs(mlir::Operation *matmul, const HalideTensor &rhs, const std::string &name = "");
std::vector<HalideTensor> lower_matmul_packed(mlir::Operation *matmul, const HalideTensor &lhs,
                                              const HalideTensor &panels, const std::string &name = "");

} // namespace loom::conversion
