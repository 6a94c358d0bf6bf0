#include "dynlearn/models/window_model.hpp"

namespace dynlearn::models {

WindowLoss IntegratedField::loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                 const std::vector<Eigen::MatrixXd>& targets, double dt,
                                 Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool want_x0_gradient) {
  WindowLoss result;
  const int steps = static_cast<int>(targets.size());
  if (x0.cols() == 0 || steps == 0) {
    if (want_x0_gradient) result.x0_gradient = Eigen::MatrixXd::Zero(x0.rows(), x0.cols());
    return result;
  }
  const auto& states = stepper_->rollout(field_, x0, dt, steps);
  upstream_.resize(steps + 1);
  upstream_[0].resize(0, 0);  // no loss on the initial state
  for (int k = 1; k <= steps; ++k) {
    upstream_[k].noalias() = states[k] - targets[k - 1];
    result.sum_squares += upstream_[k].squaredNorm();
    upstream_[k] *= 2.0;
  }
  const bool want_theta = parameter_gradient.size() > 0;
  if (!want_theta && !want_x0_gradient) return result;
  if (!want_theta) scratch_gradient_.setZero(field_.num_parameters());
  const Eigen::MatrixXd& gx0 = stepper_->rollout_vjp(
      field_, upstream_, want_theta ? parameter_gradient : Eigen::Ref<Eigen::VectorXd>(scratch_gradient_));
  if (want_x0_gradient) result.x0_gradient = gx0;
  return result;
}

std::vector<Eigen::MatrixXd> IntegratedField::predict(const Eigen::Ref<const Eigen::MatrixXd>& x0, double dt,
                                                      int steps) {
  return stepper_->rollout(field_, x0, dt, steps);
}

}  // namespace dynlearn::models
