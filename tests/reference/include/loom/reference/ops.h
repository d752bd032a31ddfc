// Naive forward/backward pairs for Loom's non-recurrent ops: elementwise, matmul, dense, slicing, reductions,
// softmax and the cross-entropy loss. The oracle for compiled kernels and graph-level gradients.
//
// Conventions, as in llm.c: a forward returns its output; a backward takes the upstream gradient `dout` and
// ACCUMULATES (+=) into the input gradients it is given, so a tensor used twice collects both contributions.
// Callers size and zero those gradients.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "loom/reference/common.h"

namespace loom::reference {

namespace detail {

template <typename F, typename Fn> Vec<F> map_elements(const Vec<F>& x, Fn fn) {
  Vec<F> y(x.size());
  for (std::size_t n = 0; n < x.size(); n++) y[n] = fn(x[n]);
  return y;
}

// dx += dout * local(saved), where `saved` is whichever of input or output the derivative is cheapest from.
template <typename F, typename Fn>
void accumulate_map_gradient(const Vec<F>& saved, const Vec<F>& dout, Vec<F>& dx, Fn local) {
  require_size(dout, saved.size(), "dout");
  require_size(dx, saved.size(), "dx");
  for (std::size_t n = 0; n < saved.size(); n++) dx[n] += dout[n] * local(saved[n]);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------------------
// Elementwise binary ops on arrays of equal shape.

template <typename F> Vec<F> add_forward(const Vec<F>& a, const Vec<F>& b) {
  require_size(b, a.size(), "b");
  Vec<F> out(a.size());
  for (std::size_t n = 0; n < a.size(); n++) out[n] = a[n] + b[n];
  return out;
}

template <typename F> void add_backward(const Vec<F>& dout, Vec<F>& da, Vec<F>& db) {
  require_size(da, dout.size(), "da");
  require_size(db, dout.size(), "db");
  for (std::size_t n = 0; n < dout.size(); n++) {
    da[n] += dout[n];
    db[n] += dout[n];
  }
}

template <typename F> Vec<F> sub_forward(const Vec<F>& a, const Vec<F>& b) {
  require_size(b, a.size(), "b");
  Vec<F> out(a.size());
  for (std::size_t n = 0; n < a.size(); n++) out[n] = a[n] - b[n];
  return out;
}

template <typename F> void sub_backward(const Vec<F>& dout, Vec<F>& da, Vec<F>& db) {
  require_size(da, dout.size(), "da");
  require_size(db, dout.size(), "db");
  for (std::size_t n = 0; n < dout.size(); n++) {
    da[n] += dout[n];
    db[n] -= dout[n];
  }
}

template <typename F> Vec<F> mul_forward(const Vec<F>& a, const Vec<F>& b) {
  require_size(b, a.size(), "b");
  Vec<F> out(a.size());
  for (std::size_t n = 0; n < a.size(); n++) out[n] = a[n] * b[n];
  return out;
}

template <typename F> void mul_backward(const Vec<F>& a, const Vec<F>& b, const Vec<F>& dout, Vec<F>& da, Vec<F>& db) {
  require_size(b, a.size(), "b");
  require_size(dout, a.size(), "dout");
  require_size(da, a.size(), "da");
  require_size(db, a.size(), "db");
  for (std::size_t n = 0; n < a.size(); n++) {
    da[n] += dout[n] * b[n];
    db[n] += dout[n] * a[n];
  }
}

// N = rows, C = columns. out [N,C] = x [N,C] + bias [C], the bias broadcast over rows.
template <typename F> Vec<F> bias_add_forward(const Vec<F>& x, const Vec<F>& bias, int N, int C) {
  require_size(x, std::size_t(N) * C, "x");
  require_size(bias, std::size_t(C), "bias");
  Vec<F> out(x.size());
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++) out[n * C + c] = x[n * C + c] + bias[c];
  return out;
}

template <typename F> void bias_add_backward(const Vec<F>& dout, int N, int C, Vec<F>& dx, Vec<F>& dbias) {
  require_size(dout, std::size_t(N) * C, "dout");
  require_size(dx, std::size_t(N) * C, "dx");
  require_size(dbias, std::size_t(C), "dbias");
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) {
      dx[n * C + c] += dout[n * C + c];
      dbias[c] += dout[n * C + c];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise unary ops. Each backward takes whichever of x or y its derivative is naturally written in.

template <typename F> Vec<F> tanh_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return std::tanh(v); });
}

template <typename F> void tanh_backward(const Vec<F>& y, const Vec<F>& dout, Vec<F>& dx) {
  detail::accumulate_map_gradient(y, dout, dx, [](F v) { return F(1) - v * v; });
}

template <typename F> Vec<F> sigmoid_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return sigmoid(v); });
}

template <typename F> void sigmoid_backward(const Vec<F>& y, const Vec<F>& dout, Vec<F>& dx) {
  detail::accumulate_map_gradient(y, dout, dx, [](F v) { return v * (F(1) - v); });
}

template <typename F> Vec<F> exp_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return std::exp(v); });
}

template <typename F> void exp_backward(const Vec<F>& y, const Vec<F>& dout, Vec<F>& dx) {
  detail::accumulate_map_gradient(y, dout, dx, [](F v) { return v; });
}

template <typename F> Vec<F> log_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return std::log(v); });
}

template <typename F> void log_backward(const Vec<F>& x, const Vec<F>& dout, Vec<F>& dx) {
  detail::accumulate_map_gradient(x, dout, dx, [](F v) { return F(1) / v; });
}

template <typename F> Vec<F> sqrt_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return std::sqrt(v); });
}

template <typename F> void sqrt_backward(const Vec<F>& y, const Vec<F>& dout, Vec<F>& dx) {
  detail::accumulate_map_gradient(y, dout, dx, [](F v) { return F(0.5) / v; });
}

template <typename F> Vec<F> relu_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return v > F(0) ? v : F(0); });
}

// The derivative at 0 is taken as 0, as PyTorch does.
template <typename F> void relu_backward(const Vec<F>& y, const Vec<F>& dout, Vec<F>& dx) {
  detail::accumulate_map_gradient(y, dout, dx, [](F v) { return v > F(0) ? F(1) : F(0); });
}

template <typename F> Vec<F> heaviside_forward(const Vec<F>& x) {
  return detail::map_elements(x, [](F v) { return v > F(0) ? F(1) : F(0); });
}

template <typename F> Vec<F> maximum_forward(const Vec<F>& a, const Vec<F>& b) {
  require_size(b, a.size(), "b");
  Vec<F> out(a.size());
  for (std::size_t n = 0; n < a.size(); n++) out[n] = a[n] > b[n] ? a[n] : b[n];
  return out;
}

template <typename F> Vec<F> minimum_forward(const Vec<F>& a, const Vec<F>& b) {
  require_size(b, a.size(), "b");
  Vec<F> out(a.size());
  for (std::size_t n = 0; n < a.size(); n++) out[n] = a[n] < b[n] ? a[n] : b[n];
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Token ids: embedding lookups, one-hot vectors, sequence masks.

// out [N,E] = table [V,E] rows at ids [N]; an id outside [0, V) aborts.
template <typename F> Vec<F> gather_forward(const Vec<F>& table, const Vec<int>& ids, int V, int E) {
  require_size(table, std::size_t(V) * E, "table");
  Vec<F> out(ids.size() * std::size_t(E));
  for (std::size_t n = 0; n < ids.size(); n++) {
    if (ids[n] < 0 || ids[n] >= V) {
      std::fprintf(stderr, "loom::reference: id %d at %zu outside [0, %d)\n", ids[n], n, V);
      std::abort();
    }
    for (int e = 0; e < E; e++) out[n * E + e] = table[std::size_t(ids[n]) * E + e];
  }
  return out;
}

// dtable [V,E] += dout [N,E] summed into the rows at ids [N].
template <typename F> void gather_backward(const Vec<int>& ids, const Vec<F>& dout, int V, int E, Vec<F>& dtable) {
  require_size(dout, ids.size() * std::size_t(E), "dout");
  require_size(dtable, std::size_t(V) * E, "dtable");
  for (std::size_t n = 0; n < ids.size(); n++)
    for (int e = 0; e < E; e++) dtable[std::size_t(ids[n]) * E + e] += dout[n * E + e];
}

// out [N,depth]: 1 at each id, a zero row for an id outside [0, depth).
template <typename F> Vec<F> one_hot(const Vec<int>& ids, int depth) {
  Vec<F> out(ids.size() * std::size_t(depth), F(0));
  for (std::size_t n = 0; n < ids.size(); n++)
    if (ids[n] >= 0 && ids[n] < depth) out[n * depth + ids[n]] = F(1);
  return out;
}

// out [T,B]: 1 where t < lengths[b].
template <typename F> Vec<F> sequence_mask(const Vec<int>& lengths, int T) {
  const std::size_t B = lengths.size();
  Vec<F> out(std::size_t(T) * B);
  for (int t = 0; t < T; t++)
    for (std::size_t b = 0; b < B; b++) out[t * B + b] = t < lengths[b] ? F(1) : F(0);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Dropout. Whether entry `index` is kept is a pure function of the random state (seed, step), the dropout
// site's stream number and the index, built from the lowbias32 integer hash; Loom's kernels compute the
// same bits, so compiled and reference masks agree exactly.

inline std::uint32_t hash32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

inline bool dropout_keeps(std::uint32_t seed, std::uint32_t step, std::uint32_t stream, std::uint32_t index,
                          double rate) {
  std::uint32_t h = hash32(seed * 0x9e3779b1u + stream);
  h = hash32(h ^ step);
  h = hash32(h ^ index);
  const float uniform = float(h >> 8) * (1.0f / 16777216.0f);  // 24 bits: exact in float
  return uniform >= float(rate);
}

// Inverted dropout of x: kept entries scaled by 1 / (1 - rate). The backward is the same map applied to dout.
template <typename F>
Vec<F> dropout_forward(const Vec<F>& x, std::uint32_t seed, std::uint32_t step, std::uint32_t stream, double rate) {
  Vec<F> out(x.size());
  const F scale = F(1) / F(float(1.0 - rate));
  for (std::size_t n = 0; n < x.size(); n++)
    out[n] = dropout_keeps(seed, step, stream, std::uint32_t(n), rate) ? x[n] * scale : F(0);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Matrix products.

// out [M,N] = a [M,K] b [K,N]
template <typename F> Vec<F> matmul_forward(const Vec<F>& a, const Vec<F>& b, int M, int K, int N) {
  require_size(a, std::size_t(M) * K, "a");
  require_size(b, std::size_t(K) * N, "b");
  Vec<F> out(std::size_t(M) * N, F(0));
  for (int m = 0; m < M; m++)
    for (int k = 0; k < K; k++)
      for (int n = 0; n < N; n++) out[m * N + n] += a[m * K + k] * b[k * N + n];
  return out;
}

// da [M,K] += dout b^T, db [K,N] += a^T dout
template <typename F>
void matmul_backward(const Vec<F>& a, const Vec<F>& b, const Vec<F>& dout, int M, int K, int N, Vec<F>& da,
                     Vec<F>& db) {
  require_size(a, std::size_t(M) * K, "a");
  require_size(b, std::size_t(K) * N, "b");
  require_size(dout, std::size_t(M) * N, "dout");
  require_size(da, std::size_t(M) * K, "da");
  require_size(db, std::size_t(K) * N, "db");
  for (int m = 0; m < M; m++) {
    for (int k = 0; k < K; k++) {
      F acc = F(0);
      for (int n = 0; n < N; n++) {
        acc += dout[m * N + n] * b[k * N + n];
        db[k * N + n] += a[m * K + k] * dout[m * N + n];
      }
      da[m * K + k] += acc;
    }
  }
}

// N = rows, I = input features, O = output features. out [N,O] = x [N,I] w^T + bias, w [O,I], bias [O].
template <typename F>
Vec<F> dense_forward(const Vec<F>& x, const Vec<F>& w, const Vec<F>& bias, int N, int I, int O) {
  require_size(x, std::size_t(N) * I, "x");
  require_size(w, std::size_t(O) * I, "w");
  require_size(bias, std::size_t(O), "bias");
  Vec<F> out(std::size_t(N) * O);
  for (int n = 0; n < N; n++) {
    for (int o = 0; o < O; o++) {
      F acc = bias[o];
      for (int i = 0; i < I; i++) acc += x[n * I + i] * w[o * I + i];
      out[n * O + o] = acc;
    }
  }
  return out;
}

template <typename F>
void dense_backward(const Vec<F>& x, const Vec<F>& w, const Vec<F>& dout, int N, int I, int O, Vec<F>& dx,
                    Vec<F>& dw, Vec<F>& dbias) {
  require_size(x, std::size_t(N) * I, "x");
  require_size(w, std::size_t(O) * I, "w");
  require_size(dout, std::size_t(N) * O, "dout");
  require_size(dx, std::size_t(N) * I, "dx");
  require_size(dw, std::size_t(O) * I, "dw");
  require_size(dbias, std::size_t(O), "dbias");
  for (int n = 0; n < N; n++) {
    for (int o = 0; o < O; o++) {
      const F d = dout[n * O + o];
      dbias[o] += d;
      for (int i = 0; i < I; i++) {
        dx[n * I + i] += d * w[o * I + i];
        dw[o * I + i] += d * x[n * I + i];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Column-block slice, how a layer takes one gate's block out of a [N, 4H] pre-activation.

// out [N,width] = x [N,C][:, begin : begin + width]
template <typename F> Vec<F> slice_columns_forward(const Vec<F>& x, int N, int C, int begin, int width) {
  require_size(x, std::size_t(N) * C, "x");
  if (begin < 0 || width < 0 || begin + width > C) {
    std::fprintf(stderr, "loom::reference: column slice [%d, %d) outside %d columns\n", begin, begin + width, C);
    std::abort();
  }
  Vec<F> out(std::size_t(N) * width);
  for (int n = 0; n < N; n++)
    for (int c = 0; c < width; c++) out[n * width + c] = x[n * C + begin + c];
  return out;
}

template <typename F>
void slice_columns_backward(const Vec<F>& dout, int N, int C, int begin, int width, Vec<F>& dx) {
  require_size(dout, std::size_t(N) * width, "dout");
  require_size(dx, std::size_t(N) * C, "dx");
  for (int n = 0; n < N; n++)
    for (int c = 0; c < width; c++) dx[n * C + begin + c] += dout[n * width + c];
}

// ---------------------------------------------------------------------------------------------------------------
// Reductions over one axis. Any row-major tensor viewed as [outer, size, inner] reduces its middle axis to
// [outer, inner]; reduce_axis() builds that view from full dimensions, and the *_all forms reduce everything.

struct AxisView { int outer, size, inner; };

inline AxisView reduce_axis(const std::vector<int>& dims, int axis) {
  if (axis < 0 || axis >= int(dims.size())) {
    std::fprintf(stderr, "loom::reference: axis %d out of range for rank %zu\n", axis, dims.size());
    std::abort();
  }
  AxisView v{1, dims[axis], 1};
  for (int d = 0; d < axis; d++) v.outer *= dims[d];
  for (int d = axis + 1; d < int(dims.size()); d++) v.inner *= dims[d];
  return v;
}

namespace detail {
inline std::size_t view_size(AxisView v) { return std::size_t(v.outer) * v.size * v.inner; }
inline std::size_t at(AxisView v, int o, int s, int i) { return (std::size_t(o) * v.size + s) * v.inner + i; }
}  // namespace detail

// out [outer,inner] = sum over the axis of x [outer,size,inner]
template <typename F> Vec<F> sum_forward(const Vec<F>& x, AxisView v) {
  require_size(x, detail::view_size(v), "x");
  Vec<F> out(std::size_t(v.outer) * v.inner, F(0));
  for (int o = 0; o < v.outer; o++)
    for (int s = 0; s < v.size; s++)
      for (int i = 0; i < v.inner; i++) out[o * v.inner + i] += x[detail::at(v, o, s, i)];
  return out;
}

template <typename F> void sum_backward(const Vec<F>& dout, AxisView v, Vec<F>& dx) {
  require_size(dout, std::size_t(v.outer) * v.inner, "dout");
  require_size(dx, detail::view_size(v), "dx");
  for (int o = 0; o < v.outer; o++)
    for (int s = 0; s < v.size; s++)
      for (int i = 0; i < v.inner; i++) dx[detail::at(v, o, s, i)] += dout[o * v.inner + i];
}

template <typename F> Vec<F> mean_forward(const Vec<F>& x, AxisView v) {
  Vec<F> out = sum_forward(x, v);
  for (F& value : out) value /= F(v.size);
  return out;
}

template <typename F> void mean_backward(const Vec<F>& dout, AxisView v, Vec<F>& dx) {
  Vec<F> scaled = dout;
  for (F& value : scaled) value /= F(v.size);
  sum_backward(scaled, v, dx);
}

// A tie has no unique derivative; the gradient goes to the first maximum, the index argmax() reports.
template <typename F> Vec<F> max_forward(const Vec<F>& x, AxisView v) {
  require_size(x, detail::view_size(v), "x");
  Vec<F> out(std::size_t(v.outer) * v.inner);
  for (int o = 0; o < v.outer; o++) {
    for (int i = 0; i < v.inner; i++) {
      F best = x[detail::at(v, o, 0, i)];
      for (int s = 1; s < v.size; s++) best = std::max(best, x[detail::at(v, o, s, i)]);
      out[o * v.inner + i] = best;
    }
  }
  return out;
}

template <typename F> void max_backward(const Vec<F>& x, const Vec<F>& dout, AxisView v, Vec<F>& dx) {
  require_size(x, detail::view_size(v), "x");
  require_size(dout, std::size_t(v.outer) * v.inner, "dout");
  require_size(dx, detail::view_size(v), "dx");
  for (int o = 0; o < v.outer; o++) {
    for (int i = 0; i < v.inner; i++) {
      int best = 0;
      for (int s = 1; s < v.size; s++)
        if (x[detail::at(v, o, s, i)] > x[detail::at(v, o, best, i)]) best = s;
      dx[detail::at(v, o, best, i)] += dout[o * v.inner + i];
    }
  }
}

inline AxisView all_elements(std::size_t n) { return {1, int(n), 1}; }

template <typename F> F sum_all_forward(const Vec<F>& x) { return sum_forward(x, all_elements(x.size()))[0]; }
template <typename F> void sum_all_backward(F dout, Vec<F>& dx) { sum_backward(Vec<F>{dout}, all_elements(dx.size()), dx); }
template <typename F> F mean_all_forward(const Vec<F>& x) { return mean_forward(x, all_elements(x.size()))[0]; }
template <typename F> void mean_all_backward(F dout, Vec<F>& dx) {
  mean_backward(Vec<F>{dout}, all_elements(dx.size()), dx);
}
template <typename F> F max_all_forward(const Vec<F>& x) { return max_forward(x, all_elements(x.size()))[0]; }
template <typename F> void max_all_backward(const Vec<F>& x, F dout, Vec<F>& dx) {
  max_backward(x, Vec<F>{dout}, all_elements(x.size()), dx);
}

// ---------------------------------------------------------------------------------------------------------------
// Softmax family over the last axis of x [N,C]. Subtracting the row maximum first keeps exp() from overflowing.

template <typename F> Vec<F> softmax_forward(const Vec<F>& x, int N, int C) {
  require_size(x, std::size_t(N) * C, "x");
  Vec<F> y(x.size());
  for (int n = 0; n < N; n++) {
    const F* row = &x[std::size_t(n) * C];
    const F row_max = *std::max_element(row, row + C);
    F total = F(0);
    for (int c = 0; c < C; c++) {
      y[n * C + c] = std::exp(row[c] - row_max);
      total += y[n * C + c];
    }
    for (int c = 0; c < C; c++) y[n * C + c] /= total;
  }
  return y;
}

// dx = y * (dout - sum_c dout * y)
template <typename F> void softmax_backward(const Vec<F>& y, const Vec<F>& dout, int N, int C, Vec<F>& dx) {
  require_size(y, std::size_t(N) * C, "y");
  require_size(dout, y.size(), "dout");
  require_size(dx, y.size(), "dx");
  for (int n = 0; n < N; n++) {
    F dot = F(0);
    for (int c = 0; c < C; c++) dot += dout[n * C + c] * y[n * C + c];
    for (int c = 0; c < C; c++) dx[n * C + c] += y[n * C + c] * (dout[n * C + c] - dot);
  }
}

// y = x - max - log(sum exp(x - max))
template <typename F> Vec<F> log_softmax_forward(const Vec<F>& x, int N, int C) {
  require_size(x, std::size_t(N) * C, "x");
  Vec<F> y(x.size());
  for (int n = 0; n < N; n++) {
    const F* row = &x[std::size_t(n) * C];
    const F row_max = *std::max_element(row, row + C);
    F total = F(0);
    for (int c = 0; c < C; c++) total += std::exp(row[c] - row_max);
    const F log_total = std::log(total);
    for (int c = 0; c < C; c++) y[n * C + c] = row[c] - row_max - log_total;
  }
  return y;
}

// dx = dout - softmax(x) * sum_c dout, with softmax(x) = exp(y)
template <typename F> void log_softmax_backward(const Vec<F>& y, const Vec<F>& dout, int N, int C, Vec<F>& dx) {
  require_size(y, std::size_t(N) * C, "y");
  require_size(dout, y.size(), "dout");
  require_size(dx, y.size(), "dx");
  for (int n = 0; n < N; n++) {
    F total = F(0);
    for (int c = 0; c < C; c++) total += dout[n * C + c];
    for (int c = 0; c < C; c++) dx[n * C + c] += dout[n * C + c] - std::exp(y[n * C + c]) * total;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Loss and prediction.

template <typename F> struct SoftmaxCrossEntropy {
  F loss;          // mean over the batch of -log softmax(logits)[label]
  Vec<F> dlogits;  // [N,C], d loss / d logits = (softmax(logits) - one_hot(label)) / N
};

// Like TensorFlow's SparseSoftmaxCrossEntropyWithLogits, the forward also yields the gradient: the loss is a
// scalar, so a caller's backward only scales dlogits by the upstream gradient of the loss.
template <typename F>
SoftmaxCrossEntropy<F> sparse_softmax_cross_entropy(const Vec<F>& logits, const Vec<int>& labels, int N, int C) {
  require_size(labels, std::size_t(N), "labels");
  const Vec<F> log_probs = log_softmax_forward(logits, N, C);
  SoftmaxCrossEntropy<F> out{F(0), Vec<F>(logits.size())};
  for (int n = 0; n < N; n++) {
    const int label = labels[n];
    if (label < 0 || label >= C) {
      std::fprintf(stderr, "loom::reference: label %d of row %d outside [0, %d)\n", label, n, C);
      std::abort();
    }
    out.loss -= log_probs[n * C + label];
    for (int c = 0; c < C; c++)
      out.dlogits[n * C + c] = (std::exp(log_probs[n * C + c]) - F(c == label ? 1 : 0)) / F(N);
  }
  out.loss /= F(N);
  return out;
}

// Index of the first maximum of each row of x [N,C]; not differentiable, so it has no backward.
template <typename F> Vec<int> argmax(const Vec<F>& x, int N, int C) {
  require_size(x, std::size_t(N) * C, "x");
  Vec<int> out(N);
  for (int n = 0; n < N; n++) {
    const F* row = &x[std::size_t(n) * C];
    out[n] = int(std::max_element(row, row + C) - row);
  }
  return out;
}

}  // namespace loom::reference
