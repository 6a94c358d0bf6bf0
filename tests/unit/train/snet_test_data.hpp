// Synthetic driven trajectories for the SNet tests: smooth states (sums of
// sines) observed at equispaced or random times, and random Fourier inputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/train/driven_trajectories.hpp"

namespace dynlearn::testing {

inline train::DrivenTrajectories snet_test_data(std::size_t trajectories, Eigen::Index state_dim,
                                                Eigen::Index input_dim, Eigen::Index samples,
                                                double horizon, bool random_times,
                                                std::size_t first = 0) {
  train::DrivenTrajectories data;
  data.first = first;
  for (std::size_t i = first; i < first + trajectories; ++i) {
    core::Rng rng(5, i, core::Purpose::user);
    Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(samples, 0.0, horizon);
    if (random_times) {
      for (Eigen::Index k = 1; k + 1 < samples; ++k) t(k) = rng.uniform(0.0, horizon);
      std::sort(t.data(), t.data() + t.size());
    }
    Eigen::MatrixXd y(state_dim, samples);
    for (Eigen::Index c = 0; c < state_dim; ++c) {
      const double a = rng.uniform(0.5, 1.5), w = rng.uniform(0.2, 1.0),
                   phase = rng.uniform(0.0, 3.0);
      for (Eigen::Index k = 0; k < samples; ++k) y(c, k) = a * std::sin(w * t(k) + phase);
    }
    core::Rng input_rng(5, i, core::Purpose::input);
    data.t.push_back(t);
    data.y.push_back(y);
    data.u.push_back(
        systems::FourierInput::random(static_cast<int>(input_dim), 3, 0.5, horizon, input_rng));
  }
  return data;
}

}  // namespace dynlearn::testing
