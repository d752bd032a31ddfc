func @forget_bias_size() {
  // expected-error @+1 {{'loom.parameter' op uses initializer 'unit_forget_bias' with scale (units) 3, which needs an LSTM bias [4 * units], got [8]}}
  %0 = loom.parameter "b" {init = "unit_forget_bias", scale = 3.0 : f64} : tensor<8xf32>
  return
}
