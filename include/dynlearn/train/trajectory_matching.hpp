// The trajectory-matching baselines of the SNet paper (Table 1, "BKPR" and
// "ADJ"): simulate each observed trajectory from its first sample under its
// exact input and fit the simulated states to the later samples. The
// gradient is backpropagation through the solver (BKPR-Euler with the sample
// spacing as step, BKPR-DoPr5 adaptive) or PETSc TS's adjoint over its
// checkpointed trajectory (ADJ-Euler = TSRK1FE, ADJ-DoPr5 = TSRK5DP adaptive).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <string_view>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/train/driven_trajectories.hpp"

namespace dynlearn::train {

enum class MatchingMethod { bkpr_euler, bkpr_dopri5, adj_euler, adj_dopri5 };

/// Deck names "bkpr_euler", "bkpr_dopri5", "adj_euler", "adj_dopri5";
/// InputError listing them otherwise.
MatchingMethod parse_matching_method(std::string_view name);
std::string_view matching_method_name(MatchingMethod method);

/// Tolerances of the adaptive (DoPr5) variants (paper: rtol 1e-7, atol 1e-9).
struct MatchingOptions {
  double rtol = 1e-7;
  double atol = 1e-9;
};

class TrajectoryMatching {
 public:
  TrajectoryMatching(integrate::DrivenField& field, MatchingMethod method,
                     MatchingOptions options = {});
  ~TrajectoryMatching();
  TrajectoryMatching(const TrajectoryMatching&) = delete;
  TrajectoryMatching& operator=(const TrajectoryMatching&) = delete;

  /** Sum over trajectories [begin, end) of data of each one's mean (over its
      samples after the first and its state components) squared error of the
      trajectory simulated from its first observed sample under its exact
      input; adds the sum of their θ-gradients to gradient. Trajectories
      with identical sample times are integrated together as one batch
      (the DoPr5 variants then share their step sizes, as a batched tensor
      in torchdiffeq does). */
  double loss_and_gradient(const DrivenTrajectories& data, std::size_t begin, std::size_t end,
                           Eigen::Ref<Eigen::VectorXd> gradient);

  /// The same loss without gradient (no tape, no adjoint).
  double loss(const DrivenTrajectories& data, std::size_t begin, std::size_t end);

  MatchingMethod method() const { return method_; }
  /// BKPR-DoPr5 only: replay the last step sizes (finite-difference tests).
  void freeze_step_sizes(bool frozen);

 private:
  struct Impl;
  integrate::DrivenField& field_;
  MatchingMethod method_;
  MatchingOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynlearn::train
