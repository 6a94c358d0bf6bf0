// The adjoint baselines of the SNet paper (ADJ-Euler, ADJ-DoPr5) through
// PETSc TS: a batch of input-driven trajectories is one TS (state stacked
// column by column), the forward solve saves its trajectory
// (TSSetSaveTrajectory) and hits every sample time (TSSetTimeSpan), and
// TSAdjointSolve runs backwards one sample interval at a time
// (TSAdjointSetSteps), the data misfit at each sample entering as a jump of
// the adjoint λ. The state Jacobian is a MatShell whose transpose product is
// the field's VJP (TSSetRHSJacobian). The θ-gradient μ comes from the same
// VJPs, weighted as PETSc weights each stage's Δλ: PETSc 3.18's own μ
// (TSSetRHSJacobianP) is wrong for RK stages with b_i = 0, such as
// Dormand-Prince's second stage (see driven_ts_adjoint.cpp).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/systems/fourier_input.hpp"
#include "dynlearn/train/driven_rollout.hpp"

namespace dynlearn::train {

class DrivenTsAdjoint {
 public:
  /// euler: TSRK1FE with step = sample spacing; dopri5: TSRK5DP with the
  /// basic adaptive controller at options.rtol, options.atol.
  DrivenTsAdjoint(DrivenScheme scheme, DrivenRolloutOptions options = {});
  ~DrivenTsAdjoint();
  DrivenTsAdjoint(const DrivenTsAdjoint&) = delete;
  DrivenTsAdjoint& operator=(const DrivenTsAdjoint&) = delete;

  /// Forward solve with the trajectory saved: the states at every t(k).
  const std::vector<Eigen::MatrixXd>& run(const integrate::DrivenField& field,
                                          const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                          const std::vector<const systems::FourierInput*>& inputs,
                                          const Eigen::VectorXd& t);
  /// Adjoint of the last run: upstream[k] = dL/d states[k]; adds dL/dθ to
  /// parameter_gradient and returns dL/dx0.
  const Eigen::MatrixXd& vjp(const integrate::DrivenField& field,
                             const std::vector<Eigen::MatrixXd>& upstream,
                             Eigen::Ref<Eigen::VectorXd> parameter_gradient);
  /// Time steps of the last forward solve.
  std::size_t steps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynlearn::train
