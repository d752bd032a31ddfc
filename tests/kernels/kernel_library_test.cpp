// compile_kernel_library: kernels compiled in worker processes give the same library as one by one in
// this process, progress counts every kernel, and a kernel that fails is named in the error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "loom/lower/kernel_library.h"
#include "loom/testing/programs.h"

namespace {

namespace fs = std::filesystem;
using loom::lower::Kernel;
using loom::lower::KernelRequest;
using loom::lower::LibraryOptions;

// out(i) = x(i) * scale + offset: small enough to compile in a fraction of a second.
KernelRequest scale_kernel(const std::string& function, float offset) {
  return {function, [offset](const Halide::Target&) {
            Halide::ImageParam x(Halide::Float(32), 1, "x");
            Halide::Param<float> scale("scale");
            Halide::Var i("i");
            Halide::Func out("out");
            out(i) = x(i) * scale + offset;
            return Kernel{"scale and add " + std::to_string(offset), Halide::Pipeline(out), {x, scale}};
          }};
}

KernelRequest failing_kernel(const std::string& function) {
  return {function, [](const Halide::Target&) -> Kernel { throw std::runtime_error("no builder for this shape"); }};
}

std::vector<KernelRequest> three_kernels() {
  return {scale_kernel("first", 1), scale_kernel("second", 2), scale_kernel("third", 3)};
}

const std::vector<Halide::Target> kTargets = {Halide::Target(loom::lower::kAvx2Target),
                                               Halide::Target("x86-64-linux-sse41")};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

fs::path scratch(const std::string& name) {
  const fs::path dir = loom::testing::scratch_directory("loom_kernel_library_test") / name;
  fs::create_directories(dir);
  return dir;
}

std::string error_of(const std::vector<KernelRequest>& kernels, int jobs) {
  try {
    loom::lower::compile_kernel_library("lib", kernels, kTargets, scratch("failing" + std::to_string(jobs)),
                                        LibraryOptions{.jobs = jobs});
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(KernelLibrary, WorkersWriteTheSameLibraryAsOneByOne) {
  const fs::path serial = scratch("serial"), parallel = scratch("parallel");
  loom::lower::compile_kernel_library("lib", three_kernels(), kTargets, serial, LibraryOptions{.jobs = 1});
  std::vector<size_t> counts;
  std::vector<std::string> names;
  LibraryOptions options{.jobs = 2};
  options.progress = [&](size_t done, size_t total, const std::string& function) {
    counts.push_back(done);
    names.push_back(function);
    EXPECT_EQ(total, 3u);
  };
  loom::lower::compile_kernel_library("lib", three_kernels(), kTargets, parallel, options);

  EXPECT_EQ(counts, (std::vector<size_t>{1, 2, 3}));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"first", "second", "third"}));
  const std::string header = read(parallel / "lib.h");
  EXPECT_EQ(header, read(serial / "lib.h"));
  // Declarations come in the requests' order whatever order the workers finished in.
  ASSERT_NE(header.find("// scale and add 1"), std::string::npos) << header;
  EXPECT_LT(header.find("int first("), header.find("int second("));
  EXPECT_LT(header.find("int second("), header.find("int third("));
  EXPECT_NE(header.find("int third_avx2(struct halide_buffer_t *x, float scale, struct halide_buffer_t *out)"),
            std::string::npos)
      << header;
  EXPECT_GT(fs::file_size(parallel / "lib.a"), 0u);
  // Only objects are left beside the library: no worker result files.
  for (const auto& entry : fs::directory_iterator(parallel / "lib.objects"))
    EXPECT_EQ(entry.path().extension(), ".o") << entry.path();
}

TEST(KernelLibrary, WorkerFailureNamesTheKernelAndItsError) {
  std::vector<KernelRequest> kernels = three_kernels();
  kernels.insert(kernels.begin() + 1, failing_kernel("broken"));
  const std::string message = error_of(kernels, 2);
  EXPECT_EQ(message, "kernel broken: no builder for this shape");
}

TEST(KernelLibrary, OneByOneFailureNamesTheKernelAsWorkersDo) {
  std::vector<KernelRequest> kernels = three_kernels();
  kernels.push_back(failing_kernel("broken"));
  EXPECT_EQ(error_of(kernels, 1), "kernel broken: no builder for this shape");
}

TEST(KernelLibrary, FailureOfACustomScheduledKernelNamesTheSchedule) {
  KernelRequest broken = failing_kernel("broken");
  broken.schedule_site = "schedule.cpp:7";
  for (int jobs : {1, 2})
    EXPECT_EQ(error_of({scale_kernel("fine", 0), broken}, jobs),
              "kernel broken (scheduled by schedule.cpp:7): no builder for this shape")
        << jobs;
}

TEST(KernelLibrary, WorkerThatCannotWriteItsResultSaysSo) {
  // The worker's build puts a directory where its result file goes.
  const fs::path dir = scratch("unwritable");
  const fs::path result = dir / "lib.objects" / "blocked.result";
  KernelRequest blocked = scale_kernel("blocked", 0);
  blocked.build = [result, build = blocked.build](const Halide::Target& target) {
    fs::create_directories(result);
    return build(target);
  };
  try {
    loom::lower::compile_kernel_library("lib", {scale_kernel("fine", 0), blocked}, kTargets, dir,
                                        LibraryOptions{.jobs = 2});
    FAIL() << "a worker's lost result went unnoticed";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "kernel blocked: its compile worker could not write " + result.string());
  }
}

TEST(KernelLibrary, HalideErrorInAWorkerSaysHalideRejectedTheKernel) {
  // A pipeline that reads an undefined Func: Halide refuses to compile it.
  const KernelRequest undefined{"undefined_input", [](const Halide::Target&) {
                                  Halide::Func missing("missing"), out("out");
                                  Halide::Var i("i");
                                  out(i) = missing(i) + 1.0f;
                                  return Kernel{"reads an undefined Func", Halide::Pipeline(out), {}};
                                }};
  const std::string message = error_of({scale_kernel("fine", 0), undefined}, 2);
  EXPECT_EQ(message.rfind("kernel undefined_input: Halide rejected it: ", 0), 0u) << message;
}

}  // namespace
