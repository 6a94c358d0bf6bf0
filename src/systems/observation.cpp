#include "dynlearn/systems/observation.hpp"

#include <petscdt.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/petsc_check.hpp"
#include "dynlearn/core/rng.hpp"

namespace dynlearn::systems {

int sample_count(const io::DataConfig& data, int steps) {
  if (data.grid == "random") return std::max(2, static_cast<int>(std::lround(data.keep_fraction * (steps + 1))));
  return steps + 1;
}

Eigen::VectorXd sample_times(const io::DataConfig& data, int steps, const TrajectoryKey& key) {
  const double t_end = data.t0 + steps * data.dt;
  if (data.grid == "gauss_lobatto") {
    std::vector<PetscReal> nodes(steps + 1), weights(steps + 1);
    core::check_petsc(PetscDTGaussLobattoLegendreQuadrature(steps + 1, PETSCGAUSSLOBATTOLEGENDRE_VIA_LINEAR_ALGEBRA,
                                                            nodes.data(), weights.data()),
                      "Gauss-Lobatto nodes");
    Eigen::VectorXd t(steps + 1);
    for (int k = 0; k <= steps; ++k) t(k) = data.t0 + 0.5 * (nodes[k] + 1.0) * (t_end - data.t0);
    t(0) = data.t0;  // exact ends, whatever the rounding of the nodes
    t(steps) = t_end;
    return t;
  }
  std::vector<int> kept(steps + 1);
  std::iota(kept.begin(), kept.end(), 0);
  if (data.grid == "random") {
    // Partial Fisher-Yates over samples 1..steps; sample 0 (the initial state) stays.
    const int count = sample_count(data, steps);
    core::Rng rng(key.seed, key.index, core::Purpose::sampling);
    for (int i = 1; i < count; ++i) {
      const int j = i + static_cast<int>(rng.below(static_cast<std::uint64_t>(steps + 1 - i)));
      std::swap(kept[i], kept[j]);
    }
    kept.resize(count);
    std::sort(kept.begin(), kept.end());
  }
  Eigen::VectorXd t(kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i) t(i) = data.t0 + kept[i] * data.dt;
  return t;
}

std::vector<int> observed_indices(const io::DataConfig& data, const System& system) {
  if (data.observe == "position") {
    auto p = system.position_indices();
    if (p.empty())
      throw InputError("[data] observe = \"position\", but system \"" + system.type() +
                       "\" has no position components; use observe = \"state\"");
    return p;
  }
  std::vector<int> all(system.state_dim());
  std::iota(all.begin(), all.end(), 0);
  return all;
}

Eigen::MatrixXd observe(const io::DataConfig& data, const std::vector<int>& observed,
                        const Eigen::MatrixXd& x, const TrajectoryKey& key) {
  Eigen::MatrixXd y(observed.size(), x.cols());
  for (std::size_t i = 0; i < observed.size(); ++i) y.row(i) = x.row(observed[i]);
  if (data.noise == 0.0) return y;
  core::Rng rng(key.seed, key.index, core::Purpose::noise);
  for (Eigen::Index i = 0; i < y.rows(); ++i) {
    const double scale =
        data.noise_kind == "relative" ? data.noise * std::sqrt(y.row(i).squaredNorm() / y.cols()) : data.noise;
    for (Eigen::Index k = 0; k < y.cols(); ++k) y(i, k) += scale * rng.normal();
  }
  return y;
}

}  // namespace dynlearn::systems
