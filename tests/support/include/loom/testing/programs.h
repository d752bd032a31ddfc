// Running a model's programs from a test: a scratch directory per test process, and a command's exit
// status and output.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace loom::testing {

/// A directory for this test process, `<temp>/<name>.<pid>`, removed at exit.
inline const std::filesystem::path &scratch_directory(const std::string &name) {
  struct Directory {
    std::filesystem::path path;
    explicit Directory(const std::string &name)
        : path(std::filesystem::temp_directory_path() / (name + "." + std::to_string(getpid()))) {
      std::filesystem::create_directories(path);
    }
    ~Directory() { std::filesystem::remove_all(path); }
  };
  static const Directory directory(name);
  return directory.path;
}

struct ProgramRun {
  int status = 0;
  std::string output; // standard output and standard error
};

/// Runs `command` with the shell and collects its output; status -1 when it did not exit normally.
inline ProgramRun run_program(const std::string &command) {
  ProgramRun result;
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buffer;
  while (size_t read = fread(buffer.data(), 1, buffer.size(), pipe))
    result.output.append(buffer.data(), read);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

} // namespace loom::testing
