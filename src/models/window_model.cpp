#include "dynlearn/models/window_model.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

namespace {

// Σ of squares of columns [begin, end) of x, in an order fixed by the
// entries' row indices alone (four partial sums by row modulo 4, column after
// column): the same bits for a segment whether it is alone or inside a
// larger batch, unlike Eigen's reductions, whose order follows the memory
// alignment of the first entry.
double segment_sum_squares(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end) {
  double partial[4] = {0.0, 0.0, 0.0, 0.0};
  const Eigen::Index rows = x.rows();
  for (Eigen::Index j = begin; j < end; ++j) {
    const double* column = x.data() + j * rows;
    for (Eigen::Index i = 0; i < rows; ++i) partial[i % 4] += column[i] * column[i];
  }
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

}  // namespace

void WindowModel::loss_segments(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                const std::vector<Eigen::MatrixXd>& targets, double dt,
                                std::span<const Eigen::Index> bounds,
                                Eigen::Ref<Eigen::MatrixXd> partials) {
  const Eigen::Index P = num_parameters();
  segment_targets_.resize(targets.size());
  for (std::size_t s = 0; s + 1 < bounds.size(); ++s) {
    const Eigen::Index begin = bounds[s], cols = bounds[s + 1] - bounds[s];
    if (cols == 0) continue;
    segment_x0_ = x0.middleCols(begin, cols);
    for (std::size_t k = 0; k < targets.size(); ++k)
      segment_targets_[k] = targets[k].middleCols(begin, cols);
    const auto column = static_cast<Eigen::Index>(s);
    partials(P, column) +=
        loss(segment_x0_, segment_targets_, dt, partials.col(column).head(P), false).sum_squares;
  }
}

WindowLoss IntegratedField::loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                 const std::vector<Eigen::MatrixXd>& targets, double dt,
                                 Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                 bool want_x0_gradient) {
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
    result.sum_squares += segment_sum_squares(upstream_[k], 0, x0.cols());
    upstream_[k] *= 2.0;
  }
  const bool want_theta = parameter_gradient.size() > 0;
  if (!want_theta && !want_x0_gradient) return result;
  if (!want_theta) scratch_gradient_.setZero(field_.num_parameters());
  const Eigen::MatrixXd& gx0 = stepper_->rollout_vjp(
      field_, upstream_,
      want_theta ? parameter_gradient : Eigen::Ref<Eigen::VectorXd>(scratch_gradient_));
  if (want_x0_gradient) result.x0_gradient = gx0;
  return result;
}

bool IntegratedField::joins_segments() const {
  const auto* segmented = dynamic_cast<const SegmentedGradients*>(&field_);
  return segmented != nullptr && segmented->columns_independent();
}

void IntegratedField::loss_segments(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                    const std::vector<Eigen::MatrixXd>& targets, double dt,
                                    std::span<const Eigen::Index> bounds,
                                    Eigen::Ref<Eigen::MatrixXd> partials) {
  if (!joins_segments()) {
    WindowModel::loss_segments(x0, targets, dt, bounds, partials);
    return;
  }
  const Eigen::Index P = num_parameters();
  const auto segments = static_cast<Eigen::Index>(bounds.size()) - 1;
  if (partials.rows() != P + 1 || partials.cols() != segments)
    throw Error(ExitCode::internal, "IntegratedField::loss_segments: partials of the wrong shape");
  const int steps = static_cast<int>(targets.size());
  if (x0.cols() == 0 || steps == 0) return;
  if (!segmented_view_) {
    segmented_view_ =
        std::make_unique<SegmentedField>(field_, dynamic_cast<const SegmentedGradients&>(field_));
    segmented_stepper_ = integrate::make_stepper(stepper_->kind(), stepper_->options());
  }
  segmented_view_->set_bounds(std::vector<Eigen::Index>(bounds.begin(), bounds.end()));
  const auto& states = segmented_stepper_->rollout(*segmented_view_, x0, dt, steps);
  upstream_.resize(steps + 1);
  upstream_[0].resize(0, 0);
  for (int k = 1; k <= steps; ++k) {
    upstream_[k].noalias() = states[k] - targets[k - 1];
    for (Eigen::Index s = 0; s < segments; ++s)
      partials(P, s) += segment_sum_squares(upstream_[k], bounds[s], bounds[s + 1]);
    upstream_[k] *= 2.0;
  }
  // Per segment the gradient starts from zero and collects the VJPs in the
  // order loss() would, then is added once: the bits of loss() on that segment.
  segmented_gradient_.setZero(P * segments);
  segmented_stepper_->rollout_vjp(*segmented_view_, upstream_, segmented_gradient_);
  partials.topRows(P) += Eigen::Map<const Eigen::MatrixXd>(segmented_gradient_.data(), P, segments);
}

std::vector<Eigen::MatrixXd> IntegratedField::predict(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                                      double dt, int steps) {
  return stepper_->rollout(field_, x0, dt, steps);
}

}  // namespace dynlearn::models
