// Loom's default CPU schedule for the Funcs of one kernel pipeline, as lower_op() made them.
#pragma once

#include "LoomToHalide.h"

#include <vector>

namespace loom::conversion {

/// Schedules every Func that `outputs` and `funcs` compute (the kernel's op results and the
/// intermediate Funcs lower_op() made for them) for a CPU `target`:
///   1. A matmul's result is stored tile by tile, each tile's product over its packed right operand
///      computed just before it with the accumulators in registers (loom/lower/panel_gemm.h), tiles in
///      parallel when the product is large. The packed panels are stored like any reread Func (3).
///      When the result is read only through element-wise Funcs (a bias add, an activation, a reshape of
///      leading axes) up to one that is stored anyway, the result is not stored: that Func is stored
///      tile by tile instead, so the epilogue runs on each tile just after its product.
///   2. Other reductions (reduce_*, softmax rows, cross-entropy, argmax) and the outputs are computed at
///      root, the innermost dimension in vectors of the target's natural width and the outermost one in
///      parallel tasks when the Func is large (its points weighted by their arithmetic: exp and division
///      cost more than an add). A reduction's vectors run inside its reduction loop when
///      it reads memory contiguously along them (a sum over a leading axis); otherwise (softmax rows) the
///      reduction loop stays innermost.
///   3. An element-wise Func is computed at root, vectorized the same way, when inlining it would
///      evaluate its points more than once: it feeds several consumers, or a consumer reads it along
///      fewer dimensions than it loops over (a matmul operand, a broadcast source).
///   4. Every other Func is inlined into its consumer. Funcs that only read buffers, parameters or
///      constants (the kernel's inputs) are always inlined: a load costs what a stored copy would.
/// The Funcs must not have been scheduled before: to build a kernel for several targets, lower its ops
/// once per target.
void schedule_cpu(const std::vector<HalideTensor> &funcs, const std::vector<HalideTensor> &outputs,
                  const Halide::Target &target);

} // namespace loom::conversion
