func @dynamic_input() {
  // expected-error @+1 {{'loom.input' op needs a static result shape, got 'tensor<?x28xf32>'}}
  %0 = loom.input "x" : tensor<?x28xf32>
  return
}
