func @slice_axis(%a: tensor<4x512xf32>) {
  // expected-error @+1 {{'loom.slice' op slices axis 2 of a rank-2 tensor [4, 512]}}
  %0 = loom.slice %a {axis = 2 : i64, start = 0 : i64, size = 1 : i64} : (tensor<4x512xf32>) -> tensor<4x512xf32>
  return
}
