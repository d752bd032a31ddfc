// Generated pass base classes, included only by the pass implementations.
#pragma once

#include "Passes.h"

namespace loom {
#define GEN_PASS_CLASSES
#include "Passes.h.inc"
} // namespace loom
