// Time steppers with discrete adjoints: a rollout integrates a VectorField from
// a batch of initial states and records a tape; rollout_vjp backpropagates
// through exactly the computation done (SRNN section 3.3: backprop through the
// integrator), giving gradients with respect to the initial states and θ.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <string_view>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"

namespace dynlearn::integrate {

enum class StepperKind {
  euler,     // explicit Euler, order 1
  leapfrog,  // Störmer-Verlet kick-drift-kick on x = [q; p], order 2, symplectic if separable
  rk4,       // classical Runge-Kutta, order 4
  dopri5,    // Dormand-Prince 5(4), adaptive step size
};

/// The deck name ("euler", "leapfrog", "rk4", "dopri5").
std::string_view stepper_name(StepperKind kind);
/// Parses a deck name; throws InputError listing the valid names otherwise.
StepperKind parse_stepper(std::string_view name);

struct StepperOptions {
  /// Fixed-step steppers: steps per output interval (step size dt / substeps),
  /// so the integration step may be finer than the sample spacing. dopri5:
  /// caps the first trial step at dt / substeps.
  int substeps = 1;
  /// dopri5: a step is accepted when the RMS over all entries of the batch of
  /// err / (atol + rtol * max(|x_old|, |x_new|)) is at most 1 (Hairer's norm).
  double rtol = 1e-6;
  double atol = 1e-9;
  /// dopri5: limit on step attempts (accepted + rejected) per rollout.
  int max_steps = 100000;
};

/// A stepper integrates x' = f(x) from x0 over n_steps output intervals of
/// length dt and keeps the tape of its last rollout for rollout_vjp. It holds
/// workspaces reused across rollouts of the same shape, so one Stepper per
/// concurrent rollout (per thread).
class Stepper {
 public:
  virtual ~Stepper() = default;

  virtual StepperKind kind() const = 0;
  const StepperOptions& options() const { return options_; }

  /// The states at the output times 0, dt, ..., n_steps dt: n_steps + 1
  /// matrices shaped like x0 (state_dim x batch), states[0] = x0. Valid until
  /// the next rollout. Throws NumericalError on a non-finite state or when
  /// dopri5 exceeds max_steps.
  const std::vector<Eigen::MatrixXd>& rollout(const VectorField& field,
                                              const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                              double dt, int n_steps);

  /// Discrete adjoint of the last rollout (same field, unchanged parameters):
  /// given upstream[k] = dL/d states[k] (n_steps + 1 entries; an empty matrix
  /// stands for zero), returns dL/dx0 and adds dL/dθ to `parameter_gradient`.
  /// Step sizes (dopri5's included) are constants, as in backprop through the
  /// solver.
  const Eigen::MatrixXd& rollout_vjp(const VectorField& field,
                                     const std::vector<Eigen::MatrixXd>& upstream,
                                     Eigen::Ref<Eigen::VectorXd> parameter_gradient);

  /// The internal step sizes of the last rollout, in order.
  virtual std::vector<double> step_sizes() const = 0;
  /// dopri5: while frozen, rollouts replay the accepted step sizes of the last
  /// unfrozen rollout instead of controlling the error (same dt and n_steps
  /// required), so that finite differences never cross a step-size decision.
  /// Fixed-step steppers have nothing to freeze.
  virtual void freeze_step_sizes(bool frozen) { (void)frozen; }

 protected:
  explicit Stepper(StepperOptions options);

  /// Fills states_ (already sized n_steps + 1, states_[0] = x0).
  virtual void forward(const VectorField& field, double dt, int n_steps) = 0;
  /// Sets adjoint_ = dL/dx0 from upstream, accumulating the parameter gradient.
  virtual void backward(const VectorField& field, const std::vector<Eigen::MatrixXd>& upstream,
                        Eigen::Ref<Eigen::VectorXd> parameter_gradient) = 0;

  /// Adds upstream[k] to `adjoint` unless it is empty.
  static void add_upstream(const std::vector<Eigen::MatrixXd>& upstream, int k,
                           Eigen::Ref<Eigen::MatrixXd> adjoint);
  /// Throws NumericalError if `x` has a non-finite entry.
  static void require_finite(const Eigen::MatrixXd& x, double time);

  StepperOptions options_;
  std::vector<Eigen::MatrixXd> states_;
  Eigen::MatrixXd adjoint_;
  const VectorField* field_ = nullptr;  // of the last rollout
  int n_steps_ = -1;
};

/// A stepper of the given kind.
std::unique_ptr<Stepper> make_stepper(StepperKind kind, StepperOptions options = {});

/// stepper.rollout(field, x0, dt, n_steps).
inline const std::vector<Eigen::MatrixXd>& rollout(const VectorField& field, Stepper& stepper,
                                                   const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                                   double dt, int n_steps) {
  return stepper.rollout(field, x0, dt, n_steps);
}

/// stepper.rollout_vjp(field, upstream, parameter_gradient).
inline const Eigen::MatrixXd& rollout_vjp(const VectorField& field, Stepper& stepper,
                                          const std::vector<Eigen::MatrixXd>& upstream,
                                          Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  return stepper.rollout_vjp(field, upstream, parameter_gradient);
}

}  // namespace dynlearn::integrate
