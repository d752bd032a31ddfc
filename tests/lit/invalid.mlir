// Each case breaks one op's shape rule or structure; the verifier names the op and the shapes.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func @matmul_contraction_mismatch(%a: tensor<4x28xf32>, %b: tensor<8x27xf32>) {
  // expected-error @+1 {{'loom.matmul' op contraction sizes differ: lhs [4, 28] gives 28, rhs [8, 27] (transposed) gives 27}}
  %0 = loom.matmul %a, %b {transpose_rhs} : (tensor<4x28xf32>, tensor<8x27xf32>) -> tensor<4x8xf32>
  return
}

// -----

func @matmul_rank(%a: tensor<2x4x28xf32>, %b: tensor<28x8xf32>) {
  // expected-error @+1 {{'loom.matmul' op multiplies rank-2 tensors, got [2, 4, 28] and [28, 8]}}
  %0 = loom.matmul %a, %b : (tensor<2x4x28xf32>, tensor<28x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func @matmul_wrong_result(%a: tensor<4x28xf32>, %b: tensor<28x8xf32>) {
  // expected-error @+1 {{'loom.matmul' op result type 'tensor<4x9xf32>' does not match the type its operands give, 'tensor<4x8xf32>'}}
  %0 = loom.matmul %a, %b : (tensor<4x28xf32>, tensor<28x8xf32>) -> tensor<4x9xf32>
  return
}

// -----

func @add_shapes(%a: tensor<4x8xf32>, %b: tensor<4x9xf32>) {
  // expected-error @+1 {{'loom.add' op needs operands of one shape, got [4, 8] and [4, 9]}}
  %0 = loom.add %a, %b : (tensor<4x8xf32>, tensor<4x9xf32>) -> tensor<4x8xf32>
  return
}

// -----

func @bias_size(%a: tensor<4x8xf32>, %b: tensor<9xf32>) {
  // expected-error @+1 {{'loom.bias_add' op adds a bias [C] to an input [..., C], got input [4, 8] and bias [9]}}
  %0 = loom.bias_add %a, %b : (tensor<4x8xf32>, tensor<9xf32>) -> tensor<4x8xf32>
  return
}

// -----

func @slice_out_of_range(%a: tensor<4x512xf32>) {
  // expected-error @+1 {{'loom.slice' op takes [384, 640) of axis 1, which has size 512 in [4, 512]}}
  %0 = loom.slice %a {axis = 1 : i64, start = 384 : i64, size = 256 : i64} : (tensor<4x512xf32>) -> tensor<4x256xf32>
  return
}

// -----

func @slice_axis(%a: tensor<4x512xf32>) {
  // expected-error @+1 {{'loom.slice' op slices axis 2 of a rank-2 tensor [4, 512]}}
  %0 = loom.slice %a {axis = 2 : i64, start = 0 : i64, size = 1 : i64} : (tensor<4x512xf32>) -> tensor<4x512xf32>
  return
}

// -----

func @concat_mismatch(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>) {
  // expected-error @+1 {{'loom.concat' op needs operands that agree except along axis 1, got [4, 8] and [5, 8]}}
  %0 = loom.concat %a, %b {axis = 1 : i64} : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x16xf32>
  return
}

// -----

func @reshape_count(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'loom.reshape' op cannot reshape [4, 8] (32 elements) to [5, 8] (40 elements)}}
  %0 = loom.reshape %a : (tensor<4x8xf32>) -> tensor<5x8xf32>
  return
}

// -----

func @reduce_repeated_axis(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'loom.reduce_sum' op has invalid or repeated axis 1 for an operand [4, 8]}}
  %0 = loom.reduce_sum %a {axes = [1, 1]} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

func @broadcast_mismatch(%a: tensor<4xf32>) {
  // expected-error @+1 {{'loom.broadcast' op cannot broadcast [4] to [5, 8] by inserting axes [1]}}
  %0 = loom.broadcast %a {axes = [1], shape = [5, 8]} : (tensor<4xf32>) -> tensor<5x8xf32>
  return
}

// -----

// Found by fuzz/ir_fuzzer: the shape rule read the missing attribute (a null ArrayAttr) and crashed;
// the op's own attribute checks now run before its shape rule.
func @broadcast_without_axes(%a: tensor<4xf32>) {
  // expected-error @+1 {{'loom.broadcast' op requires attribute 'axes'}}
  %0 = loom.broadcast %a {shape = [5, 8]} : (tensor<4xf32>) -> tensor<5x8xf32>
  return
}

// -----

func @labels_batch(%logits: tensor<4x10xf32>, %labels: tensor<5xi32>) {
  // expected-error @+1 {{'loom.sparse_softmax_cross_entropy' op needs logits [N, C] and labels [N], got logits [4, 10] and labels [5]}}
  %0 = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<4x10xf32>, tensor<5xi32>) -> tensor<f32>
  return
}

// -----

func @labels_type(%logits: tensor<4x10xf32>, %labels: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer values}}
  %0 = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func @softmax_scalar(%a: tensor<f32>) {
  // expected-error @+1 {{'loom.softmax' op needs an operand of rank 1 or more, got []}}
  %0 = loom.softmax %a : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func @unknown_initializer() {
  // expected-error @+1 {{'loom.parameter' op has unknown initializer 'xavier'; expected zeros, ones, uniform, normal, glorot_uniform, orthogonal or unit_forget_bias}}
  %0 = loom.parameter "w" {init = "xavier"} : tensor<4x4xf32>
  return
}

// -----

func @dynamic_input() {
  // expected-error @+1 {{'loom.input' op needs a static result shape, got 'tensor<?x28xf32>'}}
  %0 = loom.input "x" : tensor<?x28xf32>
  return
}

// -----

func @scan_carried_mismatch(%h0: tensor<4x8xf32>, %x: tensor<28x4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op carried state #0 starts as [4, 8], enters the body as [4, 8] and is yielded as [4, 9]}}
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x8xf32>) -> (tensor<4x8xf32>), (tensor<28x4x9xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<4x8xf32>):
    %c = loom.concat %h_prev, %x_t {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>
    %n = loom.slice %c {axis = 1 : i64, start = 0 : i64, size = 9 : i64} : (tensor<4x16xf32>) -> tensor<4x9xf32>
    loom.yield %n, %n : tensor<4x9xf32>, tensor<4x9xf32>
  }
  return
}

// -----

func @scan_step_slice(%h0: tensor<4x8xf32>, %x: tensor<28x4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op body argument for sequence #0 is [28, 4, 8]; one step of [28, 4, 8] is [4, 8]}}
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x8xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<28x4x8xf32>):
    loom.yield %h_prev, %h_prev : tensor<4x8xf32>, tensor<4x8xf32>
  }
  return
}

// -----

func @scan_steps_disagree(%h0: tensor<4x8xf32>, %x: tensor<28x4x8xf32>, %y: tensor<27x4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op sequence #1 [27, 4, 8] does not have the scan's 28 steps first}}
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x, %y : tensor<28x4x8xf32>, tensor<27x4x8xf32>) -> (tensor<4x8xf32>), (tensor<28x4x8xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<4x8xf32>, %y_t: tensor<4x8xf32>):
    loom.yield %h_prev, %h_prev : tensor<4x8xf32>, tensor<4x8xf32>
  }
  return
}

// -----

func @scan_no_sequence(%h0: tensor<4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op needs at least one sequence: it fixes the number of steps}}
  %h = loom.scan carry(%h0 : tensor<4x8xf32>) -> (tensor<4x8xf32>), () {
  ^bb0(%h_prev: tensor<4x8xf32>):
    loom.yield %h_prev : tensor<4x8xf32>
  }
  return
}

// -----

func @yield_outside_scan(%a: tensor<4xf32>) {
  // expected-error @+1 {{'loom.yield' op expects parent op 'loom.scan'}}
  loom.yield %a : tensor<4xf32>
}

// -----

func @loss_not_scalar(%l: tensor<4xf32>) {
  // expected-error @+1 {{'loom.loss' op needs a scalar loss, got [4]; reduce it first (for example with loom.reduce_mean)}}
  loom.loss %l : tensor<4xf32>
  return
}

// -----

func @xent_grad_not_scalar(%logits: tensor<4x10xf32>, %labels: tensor<4xi32>, %d: tensor<4xf32>) {
  // expected-error @+1 {{'loom.sparse_softmax_cross_entropy_grad' op needs a scalar loss gradient, got [4]}}
  %0 = loom.sparse_softmax_cross_entropy_grad %logits, %labels, %d : (tensor<4x10xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<4x10xf32>
  return
}

// -----

func @transpose_rank(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'loom.transpose' op without a permutation transposes a rank-2 tensor, got [2, 3, 4]}}
  %0 = loom.transpose %a : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return
}

// -----

func @transpose_not_a_permutation(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'loom.transpose' op permutation [0, 2, 2] is not a permutation of the axes of [2, 3, 4]}}
  %0 = loom.transpose %a {permutation = [0, 2, 2]} : (tensor<2x3x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func @transpose_permuted_result(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'loom.transpose' op result type 'tensor<4x3x2xf32>' does not match the type its operands give, 'tensor<4x2x3xf32>'}}
  %0 = loom.transpose %a {permutation = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return
}

// -----

func @orthogonal_vector() {
  // expected-error @+1 {{'loom.parameter' op uses initializer 'orthogonal', which needs a matrix, got [4]}}
  %0 = loom.parameter "b" {init = "orthogonal", scale = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func @forget_bias_size() {
  // expected-error @+1 {{'loom.parameter' op uses initializer 'unit_forget_bias' with scale (units) 3, which needs an LSTM bias [4 * units], got [8]}}
  %0 = loom.parameter "b" {init = "unit_forget_bias", scale = 3.0 : f64} : tensor<8xf32>
  return
}
