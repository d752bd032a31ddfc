// Where a DSL call was made, for error messages and IR locations: std::source_location, or with
// clang 14 and libstdc++ 12 (which lack it; the fuzzing build) the same from clang's builtins.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#if __has_include(<source_location>)
#include <source_location>
#endif

namespace loom::dsl {

#if defined(__cpp_lib_source_location)
using Where = std::source_location;
#else
class Where {
public:
  static constexpr Where current(const char *file = __builtin_FILE(), const char *function = __builtin_FUNCTION(),
                                 uint_least32_t line = __builtin_LINE()) noexcept {
    Where where;
    where.file_ = file;
    where.function_ = function;
    where.line_ = line;
    return where;
  }
  constexpr const char *file_name() const noexcept { return file_; }
  constexpr const char *function_name() const noexcept { return function_; }
  constexpr uint_least32_t line() const noexcept { return line_; }
  constexpr uint_least32_t column() const noexcept { return 0; }

private:
  const char *file_ = "";
  const char *function_ = "";
  uint_least32_t line_ = 0;
};
#endif

/// "model.cpp:15": the file's name without its directory, and the line, as errors give a place.
inline std::string file_and_line(const Where &where) {
  return std::filesystem::path(where.file_name()).filename().string() + ":" + std::to_string(where.line());
}

} // namespace loom::dsl
