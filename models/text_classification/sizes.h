// The spam classifier's compiled sizes, shared by model.cpp and the programs that fill its inputs.
#pragma once

#include <cstdint>

namespace spam {

/// Words read per email, the first ones (its subject, then its body); the median email has 171.
inline constexpr int64_t kWords = 200;
inline constexpr int64_t kBatch = 64;
/// Word ids: 0 padding, 1 unknown, then the 19998 most frequent words of the training split.
inline constexpr int64_t kVocabulary = 20000;
inline constexpr int64_t kFeatures = 64, kUnits = 64;
/// 0 ham, 1 spam.
inline constexpr int64_t kClasses = 2;

} // namespace spam
