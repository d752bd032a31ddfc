func @empty_input_name() {
  // expected-error @+1 {{a model input needs a non-empty name}}
  %x = loom.input "" : tensor<4xf32>
  return
}
