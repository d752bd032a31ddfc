// What Loom's fuzzers share: a scratch directory in memory (/dev/shm when there is one) that holds the
// fuzzer's input as the files a loader reads, and the rule every loader must keep: for any input it
// returns or throws loom::Error. Any other exception aborts, which libFuzzer reports as a crash, as it
// does AddressSanitizer and UndefinedBehaviorSanitizer reports.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "loom/runtime/errors.h"

namespace loom::fuzz {

// One directory per fuzzing process, emptied by the caller's files and removed at exit.
inline const std::filesystem::path& scratch() {
  struct Directory {
    std::filesystem::path path;
    Directory() {
      const std::filesystem::path base =
          std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
      path = base / ("loom-fuzz." + std::to_string(::getpid()));
      std::filesystem::create_directories(path);
    }
    ~Directory() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Directory directory;
  return directory.path;
}

// A fresh, empty directory under scratch() called `name`.
inline std::filesystem::path empty_directory(const std::string& name) {
  const std::filesystem::path path = scratch() / name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

// The fuzzer's input as the bytes of a file or a text.
inline std::string_view bytes_of(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) {
    std::fprintf(stderr, "fuzzer: could not write %s\n", path.c_str());
    std::abort();
  }
}

// Aborts, naming the broken property; libFuzzer saves the input that did it.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzzer: %s\n", what.c_str());
  std::abort();
}

// Runs `body`; a loom::Error (a refusal with a message) is a correct answer to bad input, anything
// else thrown is a bug. An empty message is a bug too: every refusal must say what is wrong.
template <typename Body>
void refusals_are_loom_errors(Body&& body) {
  try {
    body();
  } catch (const loom::Error& error) {
    if (std::string_view(error.what()).empty()) fail("loom::Error without a message");
  } catch (const std::exception& error) {
    fail(std::string("an exception other than loom::Error escaped: ") + error.what());
  }
}

}  // namespace loom::fuzz
