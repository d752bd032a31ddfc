func @scan_carried_mismatch(%h0: tensor<4x8xf32>, %x: tensor<28x4x8xf32>) {
  // expected-error @+1 {{'loom.scan' op carried state #0 starts as [4, 8], enters the body as [4, 8] and is yielded as [4, 9]}}
  %h, %hs = loom.scan carry(%h0 : tensor<4x8xf32>) over(%x : tensor<28x4x8xf32>) -> (tensor<4x8xf32>), (tensor<28x4x9xf32>) {
  ^bb0(%h_prev: tensor<4x8xf32>, %x_t: tensor<4x8xf32>):
    %c = loom.concat %h_prev, %x_t {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>
    %n = loom.slice %c {axis = 1 : i64, start = 0 : i64, size = 9 : i64} : (tensor<4x16xf32>) -> tensor<4x9xf32>
    loom.yield %n, %n : tensor<4x9xf32>, tensor<4x9xf32>
  }
  return
}
