// The ops of the loom dialect. Every op states its shape rule through ShapeInferenceOpInterface;
// the C++ side of each rule lives in LoomOps.cpp under a banner with the op's name.
#ifndef LOOM_OPS_TD
#define LOOM_OPS_TD

include "LoomDialect.td"
include "ShapeInferenceInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

class Loom_ShapedOp<string mnemonic, list<Trait> traits = []> :
    Loom_Op<mnemonic, !listconcat(traits,
        [DeclareOpInterfaceMethods<ShapeInferenceOpInterface>])>;

//===----------------------------------------------------------------------===//
// Model interface: inputs, parameters, outputs, the loss
//===----------------------------------------------------------------------===//

def Loom_InputOp : Loom_ShapedOp<"input", [NoSideEffect]> {
  let summary = "a named input of the model, fed by the caller";
  let description = [{
    Declares an input tensor. The generated model class gets a typed accessor
    with this name. The shape is static: it is fixed when the model is compiled.

    ```mlir
    %images = loom.input "images" : tensor<28x128x28xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Loom_ParameterOp : Loom_ShapedOp<"parameter", [NoSideEffect]> {
  let summary = "a named trainable parameter with its initializer";
  let description = [{
    Declares a parameter owned by the generated model class and saved in its
    parameter file. `init` names the initializer: `zeros`, `ones`, `uniform`
    (U(-scale, scale)), `normal` (N(0, scale^2)), `glorot_uniform`,
    `orthogonal` (a matrix with orthonormal columns or rows, times the gain
    `scale`) or `unit_forget_bias` (an LSTM bias [4 * scale] of zeros with
    ones for the forget gate, as Keras's unit_forget_bias).

    ```mlir
    %w = loom.parameter "lstm.weight_hh" {init = "uniform", scale = 0.0884 : f64} : tensor<512x128xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, DefaultValuedAttr<StrAttr, "\"zeros\"">:$init,
                   DefaultValuedAttr<F64Attr, "0.0">:$scale);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Loom_OutputOp : Loom_Op<"output"> {
  let summary = "a named output of the model, read by the caller";
  let description = [{
    Marks a value as a model output. The generated class gets a typed accessor
    with this name, filled by `forward()`.

    ```mlir
    loom.output "logits" %logits : tensor<128x10xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Loom_Tensor:$value);
  let assemblyFormat = "$name $value attr-dict `:` type($value)";
}

def Loom_LossOp : Loom_Op<"loss"> {
  let summary = "the scalar training objective";
  let description = [{
    Marks the scalar value that training minimizes. Autodiff starts from it and
    `train_step()` returns it. A model has at most one loss.

    ```mlir
    loom.loss %l : tensor<f32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
  let verifier = [{ return ::loom::verifyLoss(*this); }];
}

def Loom_ConstantOp : Loom_ShapedOp<"constant", [NoSideEffect, ConstantLike]> {
  let summary = "a constant tensor";
  let description = [{
    ```mlir
    %zeros = loom.constant dense<0.0> : tensor<128x128xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Loom_Tensor:$result);
  // The attribute prints its own type, which is the result type.
  let parser = [{ return ::loom::parseConstant(parser, result); }];
  let printer = [{ ::loom::printConstant(p, *this); }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and element-wise arithmetic
//===----------------------------------------------------------------------===//

def Loom_MatmulOp : Loom_ShapedOp<"matmul", [NoSideEffect]> {
  let summary = "matrix product of two rank-2 tensors, either side optionally transposed";
  let description = [{
    Computes `op(lhs) x op(rhs)` where `op` transposes when the matching flag is
    set. With `lhs : [M,K]` and `rhs : [N,K]`, `transpose_rhs` gives `[M,N]`,
    which is how a layer applies a PyTorch-layout weight `[out, in]`.

    ```mlir
    %y = loom.matmul %x, %w {transpose_rhs} : (tensor<128x28xf32>, tensor<512x28xf32>) -> tensor<128x512xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$lhs, Loom_FloatTensor:$rhs,
                   UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

class Loom_ElementwiseBinaryOp<string mnemonic, string what, list<Trait> traits = []> :
    Loom_ShapedOp<mnemonic, !listconcat(traits, [NoSideEffect])> {
  let summary = "element-wise " # what # " of two tensors of one shape";
  let description = [{
    Both operands have the same shape, which is the result's shape.

    ```mlir
    %z = loom.}] # mnemonic # [{ %x, %y : (tensor<128x512xf32>, tensor<128x512xf32>) -> tensor<128x512xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$lhs, Loom_FloatTensor:$rhs);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Loom_AddOp : Loom_ElementwiseBinaryOp<"add", "sum", [Commutative]> {
  let hasCanonicalizer = 1;
}
def Loom_SubOp : Loom_ElementwiseBinaryOp<"sub", "difference">;
def Loom_MulOp : Loom_ElementwiseBinaryOp<"mul", "product", [Commutative]> {
  let hasCanonicalizer = 1;
}
def Loom_DivOp : Loom_ElementwiseBinaryOp<"div", "quotient">;
def Loom_MaximumOp : Loom_ElementwiseBinaryOp<"maximum", "maximum", [Commutative]>;
def Loom_MinimumOp : Loom_ElementwiseBinaryOp<"minimum", "minimum", [Commutative]>;

def Loom_BiasAddOp : Loom_ShapedOp<"bias_add", [NoSideEffect]> {
  let summary = "adds a vector along the last dimension (bias broadcast)";
  let description = [{
    `input : [..., C]` plus `bias : [C]`, broadcast over every leading dimension.

    ```mlir
    %y = loom.bias_add %x, %b : (tensor<128x10xf32>, tensor<10xf32>) -> tensor<128x10xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, Loom_FloatTensor:$bias);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
}

class Loom_ElementwiseUnaryOp<string mnemonic, string what> :
    Loom_ShapedOp<mnemonic, [NoSideEffect]> {
  let summary = "element-wise " # what;
  let description = [{
    The result has the operand's shape.

    ```mlir
    %y = loom.}] # mnemonic # [{ %x : (tensor<128x128xf32>) -> tensor<128x128xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Loom_TanhOp : Loom_ElementwiseUnaryOp<"tanh", "hyperbolic tangent">;
def Loom_SigmoidOp : Loom_ElementwiseUnaryOp<"sigmoid", "logistic sigmoid 1/(1+exp(-x))">;
def Loom_ExpOp : Loom_ElementwiseUnaryOp<"exp", "exponential">;
def Loom_LogOp : Loom_ElementwiseUnaryOp<"log", "natural logarithm">;
def Loom_SqrtOp : Loom_ElementwiseUnaryOp<"sqrt", "square root">;
def Loom_ReluOp : Loom_ElementwiseUnaryOp<"relu", "rectified linear unit max(x, 0)">;
def Loom_HeavisideOp : Loom_ElementwiseUnaryOp<"heaviside",
    "step function: 1 where x > 0, else 0 (its gradient is zero; the ReLU adjoint uses it)">;

//===----------------------------------------------------------------------===//
// Token ids, masks and dropout
//===----------------------------------------------------------------------===//

def Loom_GatherOp : Loom_ShapedOp<"gather", [NoSideEffect]> {
  let summary = "rows of a table picked by integer ids (an embedding lookup)";
  let description = [{
    `table : [V, E]` and `indices : [d...]` with values in `[0, V)` give
    `[d..., E]`: row `indices[d...]` of the table at each position. Ids outside
    the table are clamped into it; loaders check ids where they enter the model.

    ```mlir
    %e = loom.gather %table, %tokens : (tensor<1000x64xf32>, tensor<20x32xi32>) -> tensor<20x32x64xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$table, Loom_IntTensor:$indices);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Loom_ScatterAddOp : Loom_ShapedOp<"scatter_add", [NoSideEffect]> {
  let summary = "sums rows into a table at integer ids (the adjoint of gather)";
  let description = [{
    `indices : [d...]` and `updates : [d..., E]` give a `[rows, E]` table that
    is zero except that row `indices[d...]` receives the sum of every update
    with that id. Autodiff emits it for the gradient of an embedding table.

    ```mlir
    %g = loom.scatter_add %tokens, %d {rows = 1000 : i64} : (tensor<20x32xi32>, tensor<20x32x64xf32>) -> tensor<1000x64xf32>
    ```
  }];
  let arguments = (ins Loom_IntTensor:$indices, Loom_FloatTensor:$updates, I64Attr:$rows);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

def Loom_OneHotOp : Loom_ShapedOp<"one_hot", [NoSideEffect]> {
  let summary = "integer ids as one-hot float vectors";
  let description = [{
    `indices : [d...]` gives `[d..., depth]` with a 1 at each id and 0
    elsewhere; an id outside `[0, depth)` gives a row of zeros.

    ```mlir
    %x = loom.one_hot %chars {depth = 5 : i64} : (tensor<6x1xi32>) -> tensor<6x1x5xf32>
    ```
  }];
  let arguments = (ins Loom_IntTensor:$indices, I64Attr:$depth);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$indices attr-dict `:` functional-type(operands, results)";
}

def Loom_SequenceMaskOp : Loom_ShapedOp<"sequence_mask", [NoSideEffect]> {
  let summary = "1 for the valid steps of each sequence, 0 past its length";
  let description = [{
    `lengths : [B]` gives `[steps, B]` with `mask[t, b] = t < lengths[b]`.
    Recurrent layers use it so that the state stops updating past each
    example's length.

    ```mlir
    %m = loom.sequence_mask %lengths {steps = 40 : i64} : (tensor<32xi32>) -> tensor<40x32xf32>
    ```
  }];
  let arguments = (ins Loom_IntTensor:$lengths, I64Attr:$steps);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$lengths attr-dict `:` functional-type(operands, results)";
}

def Loom_RandomStateOp : Loom_ShapedOp<"random_state", [NoSideEffect]> {
  let summary = "the training random stream's state: [seed, step]";
  let description = [{
    The generated model class owns this state: the seed it was initialized
    with and the number of the optimizer step being run, so every step draws
    fresh, reproducible random numbers. Dropout reads it.

    ```mlir
    %s = loom.random_state : tensor<2xi32>
    ```
  }];
  let results = (outs Loom_IntTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Loom_DropoutOp : Loom_ShapedOp<"dropout", [NoSideEffect]> {
  let summary = "zeroes entries with probability `rate` in training, scaling the rest";
  let description = [{
    Keeps each entry with probability `1 - rate` and scales it by
    `1 / (1 - rate)` (inverted dropout, as PyTorch and Keras). Whether an entry
    is kept is a hash of the random state, `stream` (one per dropout site) and
    the entry's row-major index, so the same step always drops the same
    entries, and autodiff's adjoint (the same dropout applied to the gradient)
    drops them too. `@forward` is inference: there loom-inference-mode replaces
    every dropout by its input. Not allowed inside `loom.scan`: apply it to the
    whole sequence.

    ```mlir
    %y = loom.dropout %x, %state {rate = 0.2 : f64, stream = 0 : i64} : (tensor<20x32x64xf32>, tensor<2xi32>) -> tensor<20x32x64xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, Loom_IntTensor:$state, F64Attr:$rate, I64Attr:$stream);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input `,` $state attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Loom_SliceOp : Loom_ShapedOp<"slice", [NoSideEffect]> {
  let summary = "a contiguous block along one axis (for example one gate block)";
  let description = [{
    Takes `size` entries starting at `start` along `axis`; every other
    dimension is kept.

    ```mlir
    %i = loom.slice %gates {axis = 1 : i64, start = 0 : i64, size = 128 : i64} : (tensor<128x512xf32>) -> tensor<128x128xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, I64Attr:$axis, I64Attr:$start, I64Attr:$size);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_ConcatOp : Loom_ShapedOp<"concat", [NoSideEffect]> {
  let summary = "joins tensors along one axis";
  let description = [{
    Every operand has the same shape except along `axis`, where the result's
    size is the sum of the operands' sizes.

    ```mlir
    %g = loom.concat %a, %b {axis = 1 : i64} : (tensor<128x128xf32>, tensor<128x128xf32>) -> tensor<128x256xf32>
    ```
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Loom_ReshapeOp : Loom_ShapedOp<"reshape", [NoSideEffect]> {
  let summary = "reinterprets a tensor with another shape of the same element count";
  let description = [{
    Row-major order is kept. The result type must be ranked and static.

    ```mlir
    %flat = loom.reshape %x : (tensor<28x128x28xf32>) -> tensor<3584x28xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_TransposeOp : Loom_ShapedOp<"transpose", [NoSideEffect]> {
  let summary = "permutes the axes of a tensor (by default swaps those of a matrix)";
  let description = [{
    Without `permutation`, `[M, N]` becomes `[N, M]`; loom-hoist-sequence-ops
    uses that to transpose a weight once per sequence instead of once per time
    step. With it, result axis `d` is input axis `permutation[d]`, as numpy's
    and ONNX's transpose (a batch-major sequence made time-major, say).

    ```mlir
    %wt = loom.transpose %w : (tensor<512x128xf32>) -> tensor<128x512xf32>
    %tm = loom.transpose %x {permutation = [1, 0, 2]} : (tensor<64x50x32xf32>) -> tensor<50x64x32xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, OptionalAttr<I64ArrayAttr>:$permutation);
  let extraClassDeclaration = [{
    /// Result axis d is input axis axes()[d].
    ::llvm::SmallVector<int64_t> axes();
  }];
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Loom_BroadcastOp : Loom_ShapedOp<"broadcast", [NoSideEffect]> {
  let summary = "repeats a tensor along new axes";
  let description = [{
    Inserts the dimensions listed in `axes` (positions in the result) with the
    sizes given by `shape`; this is the adjoint of a reduction over `axes`.

    ```mlir
    %b = loom.broadcast %s {axes = [1], shape = [128, 10]} : (tensor<128xf32>) -> tensor<128x10xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, I64ArrayAttr:$axes, I64ArrayAttr:$shape);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions, softmax and losses
//===----------------------------------------------------------------------===//

class Loom_ReduceOp<string mnemonic, string what> : Loom_ShapedOp<mnemonic, [NoSideEffect]> {
  let summary = what # " over the listed axes, which are removed";
  let description = [{
    The result drops every axis in `axes`; reducing all axes gives a scalar.

    ```mlir
    %s = loom.}] # mnemonic # [{ %x {axes = [1]} : (tensor<128x10xf32>) -> tensor<128xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, I64ArrayAttr:$axes);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Loom_ReduceSumOp : Loom_ReduceOp<"reduce_sum", "sum">;
def Loom_ReduceMeanOp : Loom_ReduceOp<"reduce_mean", "mean">;
def Loom_ReduceMaxOp : Loom_ReduceOp<"reduce_max", "maximum">;

class Loom_SoftmaxLikeOp<string mnemonic, string what> : Loom_ShapedOp<mnemonic, [NoSideEffect]> {
  let summary = what # " along the last axis";
  let description = [{
    Computed in the numerically stable form (the row maximum is subtracted
    first). The result has the operand's shape.

    ```mlir
    %p = loom.}] # mnemonic # [{ %logits : (tensor<128x10xf32>) -> tensor<128x10xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Loom_SoftmaxOp : Loom_SoftmaxLikeOp<"softmax", "softmax">;
def Loom_LogSoftmaxOp : Loom_SoftmaxLikeOp<"log_softmax", "log-softmax">;

def Loom_SparseSoftmaxCrossEntropyOp :
    Loom_ShapedOp<"sparse_softmax_cross_entropy", [NoSideEffect]> {
  let summary = "mean cross-entropy of softmax(logits) against integer class labels";
  let description = [{
    `logits : [N, C]` and `labels : [N]` with values in `[0, C)`; the result is
    the scalar mean over the `N` rows of `-log softmax(logits)[label]`.

    ```mlir
    %l = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$logits, Loom_IntTensor:$labels);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Loom_SparseSoftmaxCrossEntropyGradOp :
    Loom_ShapedOp<"sparse_softmax_cross_entropy_grad", [NoSideEffect]> {
  let summary = "gradient of sparse_softmax_cross_entropy with respect to the logits";
  let description = [{
    `(softmax(logits) - onehot(labels)) * dloss / N`, shaped like the logits.
    Autodiff emits it; users do not write it.

    ```mlir
    %d = loom.sparse_softmax_cross_entropy_grad %logits, %labels, %dl : (tensor<128x10xf32>, tensor<128xi32>, tensor<f32>) -> tensor<128x10xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$logits, Loom_IntTensor:$labels,
                   Loom_FloatTensor:$dloss);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels `,` $dloss attr-dict `:` functional-type(operands, results)";
}

def Loom_ArgmaxOp : Loom_ShapedOp<"argmax", [NoSideEffect]> {
  let summary = "index of the largest entry along the last axis";
  let description = [{
    Ties go to the lowest index, as in PyTorch.

    ```mlir
    %class = loom.argmax %logits : (tensor<128x10xf32>) -> tensor<128xi32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input);
  let results = (outs Loom_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Search: beam search's selection, reordering and index arithmetic
//===----------------------------------------------------------------------===//

def Loom_TopKOp : Loom_ShapedOp<"top_k", [NoSideEffect]> {
  let summary = "indices of the k largest entries along the last axis, largest first";
  let description = [{
    `input : [d..., N]` gives `[d..., k]` int32 indices, `1 <= k <= N`, in
    descending order of value; equal values keep their index order (the lower
    index first) and NaN ranks below every number.

    ```mlir
    %best = loom.top_k %scores {k = 4 : i64} : (tensor<8x168xf32>) -> tensor<8x4xi32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, I64Attr:$k);
  let results = (outs Loom_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Loom_GatherBeamsOp : Loom_ShapedOp<"gather_beams", [NoSideEffect]> {
  let summary = "picks entries along axis 1 per batch row (beam search's reordering)";
  let description = [{
    `input : [B, K, rest...]` and `indices : [B, J]` int32 with values in
    `[0, K)` give `[B, J, rest...]`: `result[b, j, ...] = input[b, indices[b, j], ...]`.
    Indices outside `[0, K)` are clamped into it. The result has the input's
    element type.

    ```mlir
    %h = loom.gather_beams %states, %parents : (tensor<8x4x256xf32>, tensor<8x4xi32>) -> tensor<8x4x256xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, Loom_IntTensor:$indices);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

class Loom_IntegerDivisionOp<string mnemonic, string what> : Loom_ShapedOp<mnemonic, [NoSideEffect]> {
  let summary = "integer " # what # " by a positive constant, element-wise";
  let description = [{
    Rounds towards negative infinity, so the remainder is in `[0, divisor)`
    (Python's `//` and `%`).

    ```mlir
    %r = loom.}] # mnemonic # [{ %flat {divisor = 42 : i64} : (tensor<8x4xi32>) -> tensor<8x4xi32>
    ```
  }];
  let arguments = (ins Loom_IntTensor:$input, I64Attr:$divisor);
  let results = (outs Loom_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Loom_QuotientOp : Loom_IntegerDivisionOp<"quotient", "quotient">;
def Loom_RemainderOp : Loom_IntegerDivisionOp<"remainder", "remainder">;

//===----------------------------------------------------------------------===//
// Training: gradients and optimizer updates
//===----------------------------------------------------------------------===//

def Loom_ParameterGradientOp : Loom_Op<"parameter_gradient"> {
  let summary = "the gradient of the loss with respect to a named parameter";
  let description = [{
    Autodiff emits one per parameter the loss depends on; the optimizer pass
    turns each into an update of that parameter. The gradient has the
    parameter's shape.

    ```mlir
    loom.parameter_gradient "lstm.weight_hh" %g : tensor<512x128xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Loom_FloatTensor:$gradient);
  let assemblyFormat = "$name $gradient attr-dict `:` type($gradient)";
}

def Loom_SgdUpdateOp : Loom_Op<"sgd_update"> {
  let summary = "one SGD step, with optional momentum, on a named parameter";
  let description = [{
    With `semantics = "pytorch"`: `v = momentum v + g`, `p -= lr v`. With
    `"keras"`: `v = momentum v - lr g`, `p += v`. Without momentum both are
    `p -= lr g` and no velocity is kept. The velocity is state owned by the
    generated model class.

    ```mlir
    loom.sgd_update "dense.weight" %g {learning_rate = 1.0e-01 : f64, momentum = 9.0e-01 : f64, semantics = "pytorch"} : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Loom_FloatTensor:$gradient, F64Attr:$learning_rate,
                   F64Attr:$momentum, DefaultValuedAttr<StrAttr, "\"pytorch\"">:$semantics);
  let assemblyFormat = "$name $gradient attr-dict `:` type($gradient)";
  let verifier = [{ return ::loom::verifySemantics(*this, semantics()); }];
}

def Loom_AdamUpdateOp : Loom_Op<"adam_update"> {
  let summary = "one Adam step on a named parameter";
  let description = [{
    Updates the parameter `name` and its first and second moment estimates
    (state owned by the generated model class) from `gradient`, with bias
    correction by the step count that `train_step()` keeps:
    `m = b1 m + (1-b1) g`, `v = b2 v + (1-b2) g^2`, then with
    `semantics = "pytorch"` `p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)`
    and with `"keras"` `p -= lr sqrt(1-b2^t) / (1-b1^t) m / (sqrt(v) + eps)`.

    ```mlir
    loom.adam_update "lstm.weight_hh" %g {beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-08 : f64, learning_rate = 1.0e-03 : f64} : tensor<512x128xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Loom_FloatTensor:$gradient, F64Attr:$learning_rate,
                   F64Attr:$beta1, F64Attr:$beta2, F64Attr:$epsilon,
                   DefaultValuedAttr<StrAttr, "\"pytorch\"">:$semantics);
  let assemblyFormat = "$name $gradient attr-dict `:` type($gradient)";
  let verifier = [{ return ::loom::verifySemantics(*this, semantics()); }];
}

def Loom_RmspropUpdateOp : Loom_Op<"rmsprop_update"> {
  let summary = "one RMSprop step on a named parameter";
  let description = [{
    `v = rho v + (1-rho) g^2`, then with `semantics = "pytorch"`
    `p -= lr g / (sqrt(v) + eps)` and with `"keras"` (TensorFlow's kernel)
    `p -= lr g / sqrt(v + eps)`. `v` is state owned by the generated class.

    ```mlir
    loom.rmsprop_update "dense.weight" %g {epsilon = 1.0e-08 : f64, learning_rate = 1.0e-02 : f64, rho = 9.9e-01 : f64} : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Loom_FloatTensor:$gradient, F64Attr:$learning_rate,
                   F64Attr:$rho, F64Attr:$epsilon,
                   DefaultValuedAttr<StrAttr, "\"pytorch\"">:$semantics);
  let assemblyFormat = "$name $gradient attr-dict `:` type($gradient)";
  let verifier = [{ return ::loom::verifySemantics(*this, semantics()); }];
}

//===----------------------------------------------------------------------===//
// Recurrence
//===----------------------------------------------------------------------===//

def Loom_ScanOp : Loom_ShapedOp<"scan", [AttrSizedOperandSegments,
    AttrSizedResultSegments, SingleBlock, RecursiveSideEffects]> {
  let summary = "runs its region once per time step, carrying state";
  let description = [{
    The region is one time step. Its block arguments are the carried state
    (initialised from `carried`) followed by one time slice of each tensor in
    `sequences` (each `[T, ...]`, sliced along axis 0). `loom.yield` returns the
    next carried state followed by the per-step outputs. The op's results are
    the final carried state followed by the per-step outputs stacked into
    `[T, ...]` tensors. With `reverse`, steps run from `T-1` down to `0` and the
    outputs are stacked at the index of the step that produced them. The
    region may use values defined above it, such as weights.

    ```mlir
    %h, %hs = loom.scan carry(%h0 : tensor<128x64xf32>) over(%x : tensor<28x128x64xf32>) -> (tensor<128x64xf32>), (tensor<28x128x64xf32>) {
    ^bb0(%h_prev: tensor<128x64xf32>, %x_t: tensor<128x64xf32>):
      %r = loom.matmul %h_prev, %w {transpose_rhs} : (tensor<128x64xf32>, tensor<64x64xf32>) -> tensor<128x64xf32>
      %s = loom.add %r, %x_t : (tensor<128x64xf32>, tensor<128x64xf32>) -> tensor<128x64xf32>
      %h_next = loom.tanh %s : (tensor<128x64xf32>) -> tensor<128x64xf32>
      loom.yield %h_next, %h_next : tensor<128x64xf32>, tensor<128x64xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$carried, Variadic<Loom_Tensor>:$sequences,
                   UnitAttr:$reverse);
  let results = (outs Variadic<Loom_Tensor>:$finals, Variadic<Loom_Tensor>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`reverse` $reverse^)? `carry` `(` $carried `:` type($carried) `)`
    (`over` `(` $sequences^ `:` type($sequences) `)`)?
    `->` custom<ParenTypeList>(type($finals)) `,` custom<ParenTypeList>(type($outputs))
    $body attr-dict
  }];
  let verifier = [{ return ::loom::verifyScan(*this); }];
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Number of time steps: the leading dimension of the sequences, or -1
    /// while they are unranked.
    int64_t getNumSteps();
    ::mlir::Block &getBodyBlock() { return body().front(); }
  }];
}

def Loom_YieldOp : Loom_Op<"yield", [NoSideEffect, Terminator, HasParent<"ScanOp">]> {
  let summary = "ends a scan step: next carried state, then per-step outputs";
  let description = [{
    ```mlir
    loom.yield %h_next, %h_next : tensor<128x64xf32>, tensor<128x64xf32>
    ```
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // LOOM_OPS_TD
