// The one exception type for every user-facing runtime error (bad files, missing data sets, shape mismatches).
// Messages are complete sentences that say what is wrong and what to do about it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace loom {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The operating system's description of an errno value, e.g. "No such file or directory".
std::string describe_errno(int error_number);

// 'text', for naming files, tensors and models in messages.
std::string in_quotes(std::string_view text);

}  // namespace loom
