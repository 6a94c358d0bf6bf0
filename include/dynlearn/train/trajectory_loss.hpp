// The loss of integrator-based training (SRNN section 3.3): from each
// window's initial state, integrate the learned field `window` steps and sum
// the squared distances to the observed states; the gradient comes from the
// stepper's discrete adjoint (backprop through the integrator).
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/integrate/vector_field.hpp"

namespace dynlearn::train {

struct TrajectoryLossResult {
  double sum_squares = 0.0;  ///< sum over windows, steps and components
  Eigen::MatrixXd x0_gradient;  ///< d(sum_squares)/d x0, when requested
};

/// Sum of squared errors over the batch; adds d/dθ to `parameter_gradient`
/// (unless it has size 0) and fills x0_gradient if `want_x0_gradient`.
TrajectoryLossResult trajectory_loss(const integrate::VectorField& field, integrate::Stepper& stepper,
                                     const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                     const std::vector<Eigen::MatrixXd>& targets, double dt,
                                     Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                     bool want_x0_gradient = false);

}  // namespace dynlearn::train
