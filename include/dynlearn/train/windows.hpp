// Training windows (SRNN section 4): every run of window + 1 consecutive
// samples of a trajectory is one training example. Single-step training is
// window = 1 (a trajectory of n samples gives n - 1 examples); recurrent
// training over T steps is window = T.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace dynlearn::train {

/// Observed trajectories of one rank, samples as columns (observed_dim × n).
struct Trajectories {
  std::vector<Eigen::MatrixXd> y;
  std::vector<Eigen::VectorXd> t;
  /// Sample spacing, checked to be uniform.
  double dt = 0.0;
};

/// Window w of trajectory i: samples start .. start + length.
struct Window {
  int trajectory = 0;  ///< index into Trajectories::y
  int start = 0;
};

/// Windows per trajectory of n samples (0 if the trajectory is too short).
inline int windows_per_trajectory(int samples, int window) { return samples > window ? samples - window : 0; }

/// All windows of trajectories [first, last), in trajectory then start order.
std::vector<Window> make_windows(const Trajectories& data, int first, int last, int window);

/// Gathers the windows' initial states (dim × B) and targets: targets[k] is
/// the observed state k + 1 samples after each window's start (dim × B).
void gather(const Trajectories& data, const std::vector<Window>& windows, int window,
            Eigen::MatrixXd& x0, std::vector<Eigen::MatrixXd>& targets);

/// Throws InputError unless every trajectory has the same uniform spacing;
/// returns it.
double uniform_spacing(const std::vector<Eigen::VectorXd>& t);

}  // namespace dynlearn::train
