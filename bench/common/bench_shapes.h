// What Loom's recurrent benchmark suites share: the shapes of issue 5, GFLOP/s counters, and the machine's
// measured FMA peak, so that every suite reports against the same yardsticks.
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>

namespace loom::bench {

struct RnnShape {
  int64_t T, B, I, H;
  std::string name() const {
    return "T" + std::to_string(T) + "_B" + std::to_string(B) + "_I" + std::to_string(I) + "_H" + std::to_string(H);
  }
};

/// (T, B, I, H): DeepBench-like training, large hidden, batch-1 latency, long sequences, row-by-row MNIST.
inline constexpr std::array<RnnShape, 5> kRnnShapes{
    {{50, 64, 512, 512}, {50, 32, 1024, 1024}, {25, 1, 256, 256}, {150, 16, 256, 256}, {28, 128, 28, 128}}};

/// Reports `flops` per iteration as a GFLOP/s rate (of real time: call UseRealTime()).
inline void set_gflops(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

/// Registers `function(state, shape)` under `name`, timed in wall-clock milliseconds: the kernels run on worker
/// threads, whose time the main thread's CPU clock would miss.
template <typename Function> void register_shape_benchmark(const std::string& name, Function function,
                                                            const RnnShape& shape) {
  benchmark::RegisterBenchmark(name.c_str(), function, shape)->UseRealTime()->Unit(benchmark::kMillisecond);
}

namespace detail {

/// 2 FLOPs x 16 lanes x 12 independent accumulators per iteration: enough chains to hide the FMA latency.
__attribute__((target("avx512f"))) inline float fma_loop_avx512(int64_t iterations) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t n = 0; n < iterations; ++n)
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm512_add_ps(sum, acc[i]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) inline float fma_loop_avx2(int64_t iterations) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(float(i) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t n = 0; n < iterations; ++n)
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  alignas(32) float lanes[8];
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
  _mm256_store_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

inline void fma_peak(benchmark::State& state, int threads) {
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const int lanes = avx512 ? 16 : 8;
  constexpr int64_t iterations = 1 << 22;
  std::atomic<float> sink{0};
  for (auto _ : state) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&] {
        float r = avx512 ? fma_loop_avx512(iterations) : fma_loop_avx2(iterations);
        sink.store(r, std::memory_order_relaxed);
      });
    for (std::thread& w : workers) w.join();
  }
  benchmark::DoNotOptimize(sink.load());
  set_gflops(state, 2.0 * lanes * 12 * double(iterations) * threads);
  state.SetLabel(avx512 ? "avx512" : "avx2");
}

}  // namespace detail

/// fma_peak/threads:1 and fma_peak/threads:<all cores>: independent FMA chains in registers, the most GFLOP/s
/// this machine's cores give to any kernel. Reports compare every kernel's GFLOP/s with the all-core figure.
inline void register_fma_peak() {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  for (int threads : {1, cores}) {
    benchmark::RegisterBenchmark(("fma_peak/threads:" + std::to_string(threads)).c_str(), detail::fma_peak, threads)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    if (cores == 1) break;
  }
}

}  // namespace loom::bench
