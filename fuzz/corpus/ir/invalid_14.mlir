func @unknown_initializer() {
  // expected-error @+1 {{'loom.parameter' op has unknown initializer 'xavier'; expected zeros, ones, uniform, normal, glorot_uniform, orthogonal or unit_forget_bias}}
  %0 = loom.parameter "w" {init = "xavier"} : tensor<4x4xf32>
  return
}
