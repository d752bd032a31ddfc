// Each case breaks one op's shape rule or structure; the verifier names the op and the shapes.

func @matmul_contraction_mismatch(%a: tensor<4x28xf32>, %b: tensor<8x27xf32>) {
  // expected-error @+1 {{'loom.matmul' op contraction sizes differ: lhs [4, 28] gives 28, rhs [8, 27] (transposed) gives 27}}
  %0 = loom.matmul %a, %b {transpose_rhs} : (tensor<4x28xf32>, tensor<8x27xf32>) -> tensor<4x8xf32>
  return
}
