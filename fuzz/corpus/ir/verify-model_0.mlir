// loom-verify-model: names are unique per kind and a model has at most one loss.

func @duplicate_parameter() {
  // expected-remark @+1 {{first declared here}}
  %a = loom.parameter "lstm.weight_ih" : tensor<4x4xf32>
  // expected-error @+1 {{model parameter 'lstm.weight_ih' is declared twice}}
  %b = loom.parameter "lstm.weight_ih" : tensor<4x8xf32>
  return
}
