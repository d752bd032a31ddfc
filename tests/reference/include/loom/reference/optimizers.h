// Naive optimizer updates, the oracle for Loom's generated optimizer step. PyTorch semantics by default, so
// training curves can be compared with torch.optim; `keras` selects Keras's (TensorFlow's) formulas where they
// differ.
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
  bool keras = false;  // epsilon added to sqrt(v) before bias correction: lr_t = lr sqrt(1-b2^t) / (1-b1^t)
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
    if (config.keras) {
      params[n] -= config.lr * bias_correction2_sqrt / bias_correction1 * m[n] / (std::sqrt(v[n]) + config.eps);
    } else {
      const F denom = std::sqrt(v[n]) / bias_correction2_sqrt + config.eps;
      params[n] -= step_size * m[n] / denom;
    }
  }
}

template <typename F> struct SgdConfig {
  F lr = F(0.01);
  F momentum = F(0);
  bool keras = false;  // v = momentum v - lr g, p += v (PyTorch: v = momentum v + g, p -= lr v)
};

// One SGD step; `velocity` is read and written only with momentum.
template <typename F> void sgd_update(const SgdConfig<F>& config, const Vec<F>& grads, Vec<F>& params, Vec<F>& velocity) {
  require_size(grads, params.size(), "grads");
  for (std::size_t n = 0; n < params.size(); n++) {
    if (config.momentum == F(0)) {
      params[n] -= config.lr * grads[n];
    } else if (config.keras) {
      velocity.at(n) = config.momentum * velocity.at(n) - config.lr * grads[n];
      params[n] += velocity[n];
    } else {
      velocity.at(n) = config.momentum * velocity.at(n) + grads[n];
      params[n] -= config.lr * velocity[n];
    }
  }
}

template <typename F> struct RmspropConfig {
  F lr = F(0.01);
  F rho = F(0.99);
  F eps = F(1e-8);
  bool keras = false;  // p -= lr g / sqrt(v + eps) (PyTorch: lr g / (sqrt(v) + eps))
};

// One RMSprop step (no momentum, not centered) on params and the running average of squared gradients.
template <typename F>
void rmsprop_update(const RmspropConfig<F>& config, const Vec<F>& grads, Vec<F>& params, Vec<F>& square_average) {
  require_size(grads, params.size(), "grads");
  require_size(square_average, params.size(), "square_average");
  for (std::size_t n = 0; n < params.size(); n++) {
    F& v = square_average[n];
    v = config.rho * v + (F(1) - config.rho) * grads[n] * grads[n];
    const F denominator = config.keras ? std::sqrt(v + config.eps) : std::sqrt(v) + config.eps;
    params[n] -= config.lr * grads[n] / denominator;
  }
}

}  // namespace loom::reference
