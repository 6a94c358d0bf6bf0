// Observed trajectories of an input-driven system with their exact inputs:
// what SNet and its trajectory-matching baselines train on. Each trajectory
// keeps its own sample times, so the low-data regime (a random subset of the
// samples) needs no special case.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <string>
#include <vector>

#include "dynlearn/io/dataset_file.hpp"
#include "dynlearn/systems/fourier_input.hpp"

namespace dynlearn::train {

/// A contiguous block of trajectories [first, first + size()) of a split.
struct DrivenTrajectories {
  std::vector<Eigen::VectorXd> t;        ///< sample times per trajectory
  std::vector<Eigen::MatrixXd> y;        ///< observed states, state_dim x samples
  std::vector<systems::FourierInput> u;  ///< exact inputs
  std::size_t first = 0;                 ///< global index of trajectory 0
  std::size_t size() const { return y.size(); }
};

/// Reads trajectories [first, first + count) of `split`: the observations as
/// states (the system must be fully observed) and the inputs rebuilt from
/// their Fourier coefficients with period `input_period`.
DrivenTrajectories read_driven_trajectories(const io::DatasetReader& reader,
                                            const std::string& split, std::size_t first,
                                            std::size_t count, double input_period);

}  // namespace dynlearn::train
