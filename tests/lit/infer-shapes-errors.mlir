// loom-infer-shapes reports shape rules that fail once shapes are known, and shapes it cannot find.
// RUN: loom-opt %s -split-input-file -loom-infer-shapes -verify-diagnostics

// A mismatch hidden behind unranked types shows up once the pass knows the shapes.
func @late_mismatch() {
  %x = loom.input "x" : tensor<4x28xf32>
  %w = loom.parameter "w" : tensor<10x27xf32>
  %y = loom.matmul %x, %x {transpose_rhs} : (tensor<4x28xf32>, tensor<4x28xf32>) -> tensor<*xf32>
  // expected-error @+1 {{'loom.matmul' op contraction sizes differ: lhs [4, 4] gives 4, rhs [10, 27] (transposed) gives 27}}
  %z = loom.matmul %y, %w {transpose_rhs} : (tensor<*xf32>, tensor<10x27xf32>) -> tensor<*xf32>
  return
}

// -----

// A function argument left unranked has no source of shape.
func @no_source(%a: tensor<*xf32>) {
  // expected-error @+1 {{'loom.tanh' op result #0 has no static shape after shape inference: 'tensor<*xf32>'}}
  %t = loom.tanh %a : (tensor<*xf32>) -> tensor<*xf32>
  return
}
