func @slice_out_of_range(%a: tensor<4x512xf32>) {
  // expected-error @+1 {{'loom.slice' op takes [384, 640) of axis 1, which has size 512 in [4, 512]}}
  %0 = loom.slice %a {axis = 1 : i64, start = 384 : i64, size = 256 : i64} : (tensor<4x512xf32>) -> tensor<4x256xf32>
  return
}
