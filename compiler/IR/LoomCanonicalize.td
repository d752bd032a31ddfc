// Declarative rewrites run by the canonicalizer: identities that autodiff and fusion leave behind.
#ifndef LOOM_CANONICALIZE_TD
#define LOOM_CANONICALIZE_TD

include "mlir/IR/OpBase.td"
include "LoomOps.td"

def IsSplatOf0 : Constraint<CPred<"::loom::isSplatOf($0, 0.0)">, "a splat of zero">;
def IsSplatOf1 : Constraint<CPred<"::loom::isSplatOf($0, 1.0)">, "a splat of one">;
def SameType : Constraint<CPred<"$0.getType() == $1.getType()">, "the same type">;

// x + 0 = x (gradient accumulators start from zero).
def AddZero : Pat<(Loom_AddOp:$sum $x, (Loom_ConstantOp $zero)), (replaceWithValue $x),
                  [(IsSplatOf0 $zero), (SameType $sum, $x)]>;
// x * 1 = x (the seed gradient of the loss is one).
def MulOne : Pat<(Loom_MulOp:$product $x, (Loom_ConstantOp $one)), (replaceWithValue $x),
                 [(IsSplatOf1 $one), (SameType $product, $x)]>;

#endif // LOOM_CANONICALIZE_TD
