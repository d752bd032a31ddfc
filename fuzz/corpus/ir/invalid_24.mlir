func @orthogonal_vector() {
  // expected-error @+1 {{'loom.parameter' op uses initializer 'orthogonal', which needs a matrix, got [4]}}
  %0 = loom.parameter "b" {init = "orthogonal", scale = 1.0 : f64} : tensor<4xf32>
  return
}
