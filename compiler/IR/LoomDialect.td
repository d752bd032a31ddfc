// The loom dialect: a graph IR for recurrent neural networks with static shapes.
#ifndef LOOM_DIALECT_TD
#define LOOM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let cppNamespace = "::loom";
  let hasConstantMaterializer = 1;
  let summary = "A graph IR for recurrent neural networks with static shapes.";
  let description = [{
    The `loom` dialect describes a model as a graph of tensor operations over
    statically shaped `tensor<...xf32>` and `tensor<...xi32>` values. Recurrence
    is expressed by `loom.scan`, whose region is one time step. Loom's passes
    infer shapes, differentiate through time and add optimizer updates before
    every kernel is lowered to Halide.
  }];
}

class Loom_Op<string mnemonic, list<Trait> traits = []> :
    Op<Loom_Dialect, mnemonic, traits>;

def Loom_FloatTensor : TensorOf<[F32]>;
def Loom_IntTensor : TensorOf<[I32]>;
def Loom_Tensor : TensorOf<[F32, I32]>;

#endif // LOOM_DIALECT_TD
