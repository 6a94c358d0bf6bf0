// Finite-difference check of a stepper's discrete adjoint, shared by the
// integrate tests (analytic fields) and the models tests (O-NET, H-NET).
//
// Loss L = Σ_k Σ W_k ⊙ X_k² over every output state X_k of the rollout, with
// random weights W_k; dL/dX0 and dL/dθ from rollout_vjp are compared entry by
// entry with central differences. dopri5's step sizes are frozen after the
// forward pass (Stepper::freeze_step_sizes), so the perturbed rollouts take
// exactly the same steps: backprop through the solver treats step sizes as
// constants, and a finite difference that let them move would measure a
// different (and at accept/reject decisions discontinuous) function.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <vector>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/integrate/stepper.hpp"

namespace dynlearn::integrate::testing {

struct RolloutGradientErrors {
  double x0 = 0.0;     // relative max-norm error of dL/dX0
  double theta = 0.0;  // relative max-norm error of dL/dθ
  std::size_t internal_steps = 0;
};

inline Eigen::MatrixXd uniform_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t index,
                                      double lo = -1.0, double hi = 1.0) {
  core::Rng rng(17, index, core::Purpose::user);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(lo, hi);
  }
  return m;
}

inline double max_relative_error(const Eigen::MatrixXd& analytic,
                                 const Eigen::MatrixXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

inline RolloutGradientErrors check_rollout_gradients(VectorField& field, Stepper& stepper,
                                                     const Eigen::MatrixXd& x0, double dt,
                                                     int n_steps, double fd_step = 1e-6) {
  std::vector<Eigen::MatrixXd> weights;
  for (int k = 0; k <= n_steps; ++k) {
    weights.push_back(uniform_matrix(x0.rows(), x0.cols(), 100 + k, 0.0, 1.0));
  }
  const auto loss = [&](const Eigen::MatrixXd& start) {
    const auto& states = stepper.rollout(field, start, dt, n_steps);
    double sum = 0.0;
    for (int k = 0; k <= n_steps; ++k) {
      sum += (weights[k].array() * states[k].array().square()).sum();
    }
    return sum;
  };

  RolloutGradientErrors errors;
  const auto& states = stepper.rollout(field, x0, dt, n_steps);
  errors.internal_steps = stepper.step_sizes().size();
  std::vector<Eigen::MatrixXd> upstream;
  for (int k = 0; k <= n_steps; ++k) {
    upstream.push_back(2.0 * weights[k].cwiseProduct(states[k]));
  }
  Eigen::VectorXd theta_gradient = Eigen::VectorXd::Zero(field.num_parameters());
  const Eigen::MatrixXd x0_gradient = stepper.rollout_vjp(field, upstream, theta_gradient);

  stepper.freeze_step_sizes(true);
  Eigen::MatrixXd x0_reference(x0.rows(), x0.cols());
  Eigen::MatrixXd x = x0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    x(i) = x0(i) + fd_step;
    const double plus = loss(x);
    x(i) = x0(i) - fd_step;
    const double minus = loss(x);
    x(i) = x0(i);
    x0_reference(i) = (plus - minus) / (2 * fd_step);
  }
  const Eigen::VectorXd theta = field.parameters();
  Eigen::VectorXd theta_reference(theta.size());
  Eigen::VectorXd t = theta;
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    t[i] = theta[i] + fd_step;
    field.set_parameters(t);
    const double plus = loss(x0);
    t[i] = theta[i] - fd_step;
    field.set_parameters(t);
    const double minus = loss(x0);
    t[i] = theta[i];
    theta_reference[i] = (plus - minus) / (2 * fd_step);
  }
  field.set_parameters(theta);
  stepper.freeze_step_sizes(false);

  errors.x0 = max_relative_error(x0_gradient, x0_reference);
  errors.theta = max_relative_error(theta_gradient, theta_reference);
  return errors;
}

}  // namespace dynlearn::integrate::testing
