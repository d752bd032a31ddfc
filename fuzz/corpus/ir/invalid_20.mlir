func @yield_outside_scan(%a: tensor<4xf32>) {
  // expected-error @+1 {{'loom.yield' op expects parent op 'loom.scan'}}
  loom.yield %a : tensor<4xf32>
}
