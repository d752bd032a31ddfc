func @bad_semantics(%g: tensor<5x3xf32>) {
  // expected-error @+1 {{'loom.sgd_update' op has semantics "tensorflow"; Loom knows "pytorch" and "keras"}}
  loom.sgd_update "w" %g {learning_rate = 0.1 : f64, momentum = 0.0 : f64, semantics = "tensorflow"} : tensor<5x3xf32>
  return
}
