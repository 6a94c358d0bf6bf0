// How simulated trajectories become observations: the sample-time grid of
// each trajectory, which components are observed, and the observation noise
// (all from the [data] section, all randomness keyed by trajectory).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "dynlearn/io/config.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

/// Sample times of one trajectory with `steps` samples after the initial one:
/// uniform t0 + k dt; a random subset of that grid (keep_fraction, first
/// sample always kept, drawn from the trajectory's sampling stream); or the
/// steps + 1 Gauss-Lobatto-Legendre points of [t0, t0 + steps dt].
Eigen::VectorXd sample_times(const io::DataConfig& data, int steps, const TrajectoryKey& key);

/// Number of samples sample_times() returns.
int sample_count(const io::DataConfig& data, int steps);

/// Indices of the observed components (all, or the system's positions).
std::vector<int> observed_indices(const io::DataConfig& data, const System& system);

/// The observed rows of x plus i.i.d. Gaussian noise from the trajectory's
/// noise stream; relative noise scales by each component's RMS over the trajectory.
Eigen::MatrixXd observe(const io::DataConfig& data, const std::vector<int>& observed,
                        const Eigen::MatrixXd& x, const TrajectoryKey& key);

}  // namespace dynlearn::systems
