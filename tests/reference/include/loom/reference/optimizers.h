// Naive optimizer updates, the oracle for Loom's generated optimizer step. PyTorch semantics, so training
// curves can be compared with torch.optim.
#pragma once

#include <cmath>
#include <cstddef>

#include "loom/reference/common.h"

namespace loom::reference {

template <typename F> struct AdamConfig {
  F lr = F(1e-3);
  F beta1 = F(0.9);
  F beta2 = F(0.999);
  F eps = F(1e-8);
};

// One torch.optim.Adam step (no weight decay, no amsgrad) on params, first moment m and second moment v, in
// place. `step` counts from 1 at the first update; bias correction depends on it. The arithmetic follows
// PyTorch's order of operations (step size lr / (1 - beta1^step), denominator sqrt(v) / sqrt(1 - beta2^step)
// + eps, i.e. eps is added to sqrt(v_hat)) so float results stay close to torch.optim's.
template <typename F>
void adam_update(const AdamConfig<F>& config, int step, const Vec<F>& grads, Vec<F>& params, Vec<F>& m, Vec<F>& v) {
  if (step < 1) {
    std::fprintf(stderr, "loom::reference: Adam step %d, expected a count starting at 1\n", step);
    std::abort();
  }
  require_size(grads, params.size(), "grads");
  require_size(m, params.size(), "m");
  require_size(v, params.size(), "v");
  const F bias_correction1 = F(1) - std::pow(config.beta1, F(step));
  const F bias_correction2 = F(1) - std::pow(config.beta2, F(step));
  const F step_size = config.lr / bias_correction1;
  const F bias_correction2_sqrt = std::sqrt(bias_correction2);
  for (std::size_t n = 0; n < params.size(); n++) {
    m[n] = config.beta1 * m[n] + (F(1) - config.beta1) * grads[n];
    v[n] = config.beta2 * v[n] + (F(1) - config.beta2) * (grads[n] * grads[n]);
    const F denom = std::sqrt(v[n]) / bias_correction2_sqrt + config.eps;
    params[n] -= step_size * m[n] / denom;
  }
}

}  // namespace loom::reference
