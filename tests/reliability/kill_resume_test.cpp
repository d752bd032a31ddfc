// Training survives being killed: a training program killed with SIGKILL at random points, and
// resumed with --resume from its last checkpoint each time, ends with parameters, optimizer state
// and step count bit-identical to an uninterrupted run with the same seed.
//
// The kill points are drawn from a seed that the test prints; LOOM_KILL_SEED=<seed> repeats them.
#include "loom/runtime/checkpoint.h"
#include "loom/runtime/idx.h"
#include "loom/runtime/parameter_file.h"

#include <loom/testing/programs.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// A training program's command line without --checkpoint and --resume, which the test adds.
struct Training {
  std::string name;
  std::vector<std::string> arguments;
};

struct Finished {
  bool killed = false; // by the test's SIGKILL; otherwise it exited
  int exit_status = 0;
  double seconds = 0;
  int checkpoints = 0;         // checkpoint writes seen
  double first_checkpoint = 0; // seconds after the start of the first one, and of the last
  double last_checkpoint = 0;
  std::string output;
};

/// When to kill a run: `delay` seconds after its `writes`-th checkpoint write; never when `writes`
/// is 0.
struct KillPoint {
  int writes = 0;
  double delay = 0;
};

std::string read_all(const fs::path &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::optional<fs::file_time_type> modified(const fs::path &path) {
  std::error_code error;
  const fs::file_time_type time = fs::last_write_time(path, error);
  return error ? std::nullopt : std::optional(time);
}

/// Runs `arguments` with standard output and error going to `log`, watching the replacements of
/// `checkpoint` (its modification time), and kills it with SIGKILL at `kill`. Killing after a
/// number of writes rather than after a time keeps the test meaningful on a loaded machine: every
/// killed run has made progress, and has more to make.
Finished run(const std::vector<std::string> &arguments, const fs::path &log, const fs::path &checkpoint,
             KillPoint kill_point) {
  std::optional<fs::file_time_type> seen = modified(checkpoint);
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
      _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char *> argv;
    for (const std::string &argument : arguments)
      argv.push_back(const_cast<char *>(argument.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  Finished finished;
  auto seconds_since = [](Clock::time_point from) {
    return std::chrono::duration<double>(Clock::now() - from).count();
  };
  int status = 0;
  double kill_at = -1; // seconds after the start; known once the run has written enough checkpoints
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (const auto now = modified(checkpoint); now != seen) {
      seen = now;
      finished.last_checkpoint = seconds_since(start);
      if (finished.checkpoints++ == 0)
        finished.first_checkpoint = finished.last_checkpoint;
      if (finished.checkpoints == kill_point.writes)
        kill_at = finished.last_checkpoint + kill_point.delay;
    }
    if (kill_at >= 0 && seconds_since(start) >= kill_at) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      finished.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  finished.seconds = seconds_since(start);
  finished.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  finished.output = read_all(log);
  return finished;
}

/// Asserts that two parameter files hold the same tensors, with the same shapes and the same bits.
void expect_bit_identical(const fs::path &expected_path, const fs::path &actual_path) {
  const loom::ParameterSet expected = loom::load_parameters(expected_path.string());
  const loom::ParameterSet actual = loom::load_parameters(actual_path.string());
  EXPECT_EQ(actual.model_name, expected.model_name);
  ASSERT_EQ(actual.tensors.size(), expected.tensors.size());
  for (size_t i = 0; i < expected.tensors.size(); ++i) {
    const loom::NamedTensor &want = expected.tensors[i], &got = actual.tensors[i];
    ASSERT_EQ(got.name, want.name);
    ASSERT_EQ(got.tensor.shape, want.tensor.shape) << want.name;
    size_t differing = 0;
    for (size_t e = 0; e < want.tensor.data.size(); ++e)
      differing += std::memcmp(&want.tensor.data[e], &got.tensor.data[e], sizeof(float)) != 0;
    EXPECT_EQ(differing, 0u) << "tensor " << want.name << ": " << differing << " of " << want.tensor.data.size()
                             << " values differ from the uninterrupted run";
  }
}

/// The optimizer steps a checkpoint has taken.
double steps_in(const fs::path &checkpoint) {
  const loom::ParameterSet set = loom::load_parameters(checkpoint.string());
  return double(loom::counter_value(set.get("training.step"), "training.step", checkpoint.string()));
}

uint64_t kill_seed() {
  if (const char *text = std::getenv("LOOM_KILL_SEED"))
    return std::strtoull(text, nullptr, 10);
  return std::random_device{}();
}

/// Trains once without interruption, then again with `kills` SIGKILLs at random points, resuming
/// after each from the checkpoint, and compares the final checkpoints.
void expect_kills_change_nothing(const Training &training, int kills) {
  const fs::path directory = loom::testing::scratch_directory("kill_resume") / training.name;
  fs::create_directories(directory);
  const fs::path reference = directory / "uninterrupted.checkpoint", interrupted = directory / "killed.checkpoint";

  auto command = [&](const fs::path &checkpoint, bool resume) {
    std::vector<std::string> arguments = training.arguments;
    arguments.push_back("--checkpoint");
    arguments.push_back(checkpoint.string());
    if (resume)
      arguments.push_back("--resume");
    return arguments;
  };

  const Finished whole = run(command(reference, false), directory / "uninterrupted.log", reference, {});
  ASSERT_EQ(whole.exit_status, 0) << whole.output;
  ASSERT_GE(whole.checkpoints, 2) << "the run wrote too few checkpoints to be killed between them:\n" << whole.output;

  const uint64_t seed = kill_seed();
  const double interval = (whole.last_checkpoint - whole.first_checkpoint) / double(whole.checkpoints - 1);
  std::printf("%s: uninterrupted run %.2f s with %d checkpoint writes, %.3f s apart; kill points drawn with "
              "LOOM_KILL_SEED=%llu\n",
              training.name.c_str(), whole.seconds, whole.checkpoints, interval, (unsigned long long)seed);
  std::mt19937_64 random(seed);
  const double total_steps = steps_in(reference);

  int killed = 0, resumed = 0;
  for (int attempt = 0;; ++attempt) {
    const bool resume = fs::exists(interrupted);
    const fs::path log = directory / ("run" + std::to_string(attempt) + ".log");
    // After a random number of the writes left, at most half of them (so the next run has as many
    // left), and at a random moment before the next write: during steps, evaluations and writes.
    const double left = resume ? 1.0 - steps_in(interrupted) / total_steps : 1.0;
    const int writes_left = int(left * double(whole.checkpoints));
    KillPoint kill_point;
    if (attempt < kills && writes_left >= 2) {
      kill_point.writes = std::uniform_int_distribution<int>(1, writes_left / 2)(random);
      kill_point.delay = std::uniform_real_distribution<double>(0.0, interval)(random);
    }
    const Finished finished = run(command(interrupted, resume), log, interrupted, kill_point);
    std::printf("  run %d: %s%s after %.2f s and %d checkpoint writes\n", attempt, resume ? "resumed, " : "",
                finished.killed ? "killed" : "exited", finished.seconds, finished.checkpoints);
    resumed += resume;
    if (finished.killed) {
      ++killed;
      continue;
    }
    ASSERT_EQ(finished.exit_status, 0) << "run " << attempt << " failed:\n" << finished.output;
    // (A killed run's output is lost with its buffers; this one exited.)
    if (resume)
      EXPECT_NE(finished.output.find("resumed from"), std::string::npos) << finished.output;
    break;
  }
  // Every kill point leaves at least half the writes of the run to come, so only a run with less
  // than four writes left is not killed.
  EXPECT_GE(killed, std::min(kills, 2)) << "too few runs were killed for the test to mean much";
  EXPECT_GE(resumed, 1);
  expect_bit_identical(reference, interrupted);
  // A run killed while saving leaves its temporary file; the next save removes it.
  for (const fs::directory_entry &entry : fs::directory_iterator(directory))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
}

// Mid-epoch checkpoints: the data order and the position in it come back from the step count.
TEST(KillAndResume, FashionMnistEndsBitIdentical) {
  if (!fs::exists(std::string(loom::kFashionMnistDirectory)))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  expect_kills_change_nothing({"fashion_mnist",
                               {LOOM_TRAIN_FASHION_MNIST, "--limit", "1280", "--epochs", "3", "--seed", "5",
                                "--checkpoint-every", "3", "--loss-curve", ""}},
                              /*kills=*/4);
}

// Dropout between the layers: its random stream comes back from the seed and the step count.
TEST(KillAndResume, WordCompletionWithDropoutEndsBitIdentical) {
  expect_kills_change_nothing(
      {"word_completion", {LOOM_TRAIN_WORD_COMPLETION, "--epochs", "60", "--seed", "3", "--loss-curve", ""}},
      /*kills=*/4);
}

} // namespace
