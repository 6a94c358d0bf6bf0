// Leapfrog augmented with a rebound operator (SRNN section 6, equations 5-9),
// with its discrete adjoint so that recurrent training backpropagates through
// the rebound events.
//
// Each step of size Δt from [q, p]:
//   1. a tentative plain leapfrog step of size Δt gives q̃ (equation 9);
//   2. the rebound operator gives n (the rebound vector) and α ∈ [0, 1] (when
//      the rebound happens) from q and q̃;
//   3. a leapfrog step of size αΔt, the reflection p ← p - 2 (p·n) n, and a
//      leapfrog step of size (1 - α)Δt (equations 6-8).
// With n = 0 the result is the tentative step. α and n depend on the state
// and on the operator's parameters, so the adjoint differentiates the step
// sizes αΔt and (1 - α)Δt too.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"

namespace dynlearn::integrate {

/// What one evaluation of a rebound operator records for its VJP.
class ReboundTape {
 public:
  virtual ~ReboundTape() = default;
};

/// The rebound event model of an augmented leapfrog: parameters θ_R in one
/// flat vector, evaluated column by column on batches of positions.
class ReboundOperator {
 public:
  virtual ~ReboundOperator() = default;

  virtual Eigen::Index num_parameters() const = 0;
  virtual Eigen::VectorXd parameters() const = 0;
  virtual void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) = 0;
  virtual std::unique_ptr<ReboundTape> make_tape() const = 0;

  /// From the positions q at the start of a step and q̃ after the tentative
  /// step (both half x batch): the rebound vector n (half x batch), the
  /// rebound time fraction α (1 x batch, in [0, 1]) and a non-negative
  /// penalty per column (1 x batch; SRNN: γ, for the ‖γ‖₁ regulariser).
  virtual void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& q,
                        const Eigen::Ref<const Eigen::MatrixXd>& q_tentative,
                        Eigen::Ref<Eigen::MatrixXd> n, Eigen::Ref<Eigen::MatrixXd> alpha,
                        Eigen::Ref<Eigen::MatrixXd> penalty, ReboundTape& tape) const = 0;
  /// After evaluate on `tape`: given dL/dn, dL/dα and dL/dpenalty, sets
  /// dL/dq and dL/dq̃ (overwritten) and adds dL/dθ_R to `parameter_gradient`.
  virtual void vjp(const Eigen::Ref<const Eigen::MatrixXd>& n_adjoint,
                   const Eigen::Ref<const Eigen::MatrixXd>& alpha_adjoint,
                   const Eigen::Ref<const Eigen::MatrixXd>& penalty_adjoint,
                   Eigen::Ref<Eigen::MatrixXd> q_adjoint,
                   Eigen::Ref<Eigen::MatrixXd> q_tentative_adjoint,
                   Eigen::Ref<Eigen::VectorXd> parameter_gradient, ReboundTape& tape) const = 0;
};

/// p - 2 (p·n) n per column (equation 5): a perfect rebound for a unit n, the
/// identity for n = 0.
Eigen::MatrixXd reflect(const Eigen::Ref<const Eigen::MatrixXd>& p,
                        const Eigen::Ref<const Eigen::MatrixXd>& n);

/// The augmented leapfrog stepper. Its parameter vector is [θ_field; θ_R]
/// (the field's first). Keeps the tape of its last rollout for rollout_vjp;
/// one instance per concurrent rollout.
class AugmentedLeapfrog {
 public:
  AugmentedLeapfrog();
  ~AugmentedLeapfrog();
  AugmentedLeapfrog(const AugmentedLeapfrog&) = delete;
  AugmentedLeapfrog& operator=(const AugmentedLeapfrog&) = delete;

  /// The states [q; p] at steps 0..n_steps (states[0] = x0), valid until the
  /// next rollout. Throws NumericalError on a non-finite state.
  const std::vector<Eigen::MatrixXd>& rollout(const VectorField& field,
                                              const ReboundOperator& rebound,
                                              const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                              double dt, int n_steps);

  /// Sum over steps and columns of the operator's penalty in the last rollout.
  double penalty() const { return penalty_; }
  /// α (1 x batch) and n (half x batch) of step s (0-based) of the last rollout.
  const Eigen::MatrixXd& alpha(int step) const;
  const Eigen::MatrixXd& normal(int step) const;

  /// Discrete adjoint of the last rollout (same field, operator and
  /// parameters): upstream[k] = dL/d states[k] (an empty matrix stands for
  /// zero) and penalty_adjoint = dL/d penalty(); returns dL/dx0 and adds
  /// dL/d[θ_field; θ_R] to `parameter_gradient`.
  const Eigen::MatrixXd& rollout_vjp(const VectorField& field, const ReboundOperator& rebound,
                                     const std::vector<Eigen::MatrixXd>& upstream,
                                     double penalty_adjoint,
                                     Eigen::Ref<Eigen::VectorXd> parameter_gradient);

 private:
  struct Substep;
  struct Step;

  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<Eigen::MatrixXd> states_;
  Eigen::MatrixXd adjoint_;
  const VectorField* field_ = nullptr;
  const ReboundOperator* rebound_ = nullptr;
  int n_steps_ = -1;
  double dt_ = 0.0;
  double penalty_ = 0.0;
};

}  // namespace dynlearn::integrate
