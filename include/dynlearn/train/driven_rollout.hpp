// Backpropagation through an explicit solver for input-driven fields
// (SNet's BKPR-Euler and BKPR-DoPr5 baselines, and the adaptive
// Dormand-Prince forecast): a batch of trajectories sharing sample times,
// each under its own exact input u(t), evaluated at every stage time (not
// held between samples). The discrete adjoint replays the recorded steps
// backwards, with step sizes as constants (backprop through the solver).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/systems/fourier_input.hpp"

namespace dynlearn::train {

enum class DrivenScheme {
  euler,   // explicit Euler, one step per sample interval (step = sample spacing)
  dopri5,  // Dormand-Prince 5(4), adaptive, every sample time hit exactly
};

struct DrivenRolloutOptions {
  /// dopri5: a step is accepted when the RMS over the whole batch of
  /// err / (atol + rtol max(|x_old|, |x_new|)) is at most 1 (Hairer's norm,
  /// as torchdiffeq on a batched tensor).
  double rtol = 1e-7;
  double atol = 1e-9;
  /// dopri5: limit on step attempts per rollout (NumericalError beyond).
  int max_steps = 100000;
};

/// One rollout object per concurrent rollout: it keeps the tapes (reused
/// across calls of the same batch size) and the step record of its last run.
class DrivenRollout {
 public:
  explicit DrivenRollout(DrivenScheme scheme, DrivenRolloutOptions options = {});
  ~DrivenRollout();
  DrivenRollout(const DrivenRollout&) = delete;
  DrivenRollout& operator=(const DrivenRollout&) = delete;

  /// Integrates from x0 (state_dim x batch) at t(0) to every t(k); column b
  /// is driven by *inputs[b]. Returns the states at the sample times
  /// (t.size() matrices, [0] = x0), valid until the next run. With
  /// `record`, keeps what vjp needs. Throws NumericalError on a non-finite
  /// state or too many steps.
  const std::vector<Eigen::MatrixXd>& run(const integrate::DrivenField& field,
                                          const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                          const std::vector<const systems::FourierInput*>& inputs,
                                          const Eigen::VectorXd& t, bool record = true);

  /// Discrete adjoint of the last recorded run (same field and parameters):
  /// upstream[k] = dL/d states[k] (an empty matrix stands for zero). Adds
  /// dL/dθ to `parameter_gradient` and returns dL/dx0.
  const Eigen::MatrixXd& vjp(const integrate::DrivenField& field,
                             const std::vector<Eigen::MatrixXd>& upstream,
                             Eigen::Ref<Eigen::VectorXd> parameter_gradient);

  /// Accepted steps of the last run, and their sizes.
  std::size_t accepted_steps() const;
  std::vector<double> step_sizes() const;
  /// dopri5: while frozen, runs replay the accepted step sizes of the last
  /// unfrozen run (same t required), so that finite differences never cross
  /// a step-size decision.
  void freeze_step_sizes(bool frozen);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// u_b(τ) for every column b: out is input_dim x inputs.size().
void evaluate_inputs(const std::vector<const systems::FourierInput*>& inputs, double time,
                     Eigen::Ref<Eigen::MatrixXd> out);

}  // namespace dynlearn::train
