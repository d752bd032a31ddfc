// Helpers shared by the runtime's error messages.
#include "loom/runtime/errors.h"

#include <cstring>
#include <type_traits>

namespace loom {

std::string describe_errno(int error_number) {
  // strerror is not thread-safe, and strerror_r returns char* or int depending on _GNU_SOURCE
  // (which g++ defines), so accept both conventions.
  char buffer[256] = {};
  auto result = strerror_r(error_number, buffer, sizeof buffer);
  if constexpr (std::is_same_v<decltype(result), char*>) {
    return result;
  } else {
    return result == 0 ? std::string(buffer) : "error " + std::to_string(error_number);
  }
}

std::string in_quotes(std::string_view text) {
  std::string result = "'";
  result += text;
  result += '\'';
  return result;
}

}  // namespace loom
