// The tied-copies view of a field: its VJPs write each segment's parameter
// gradient into that segment's block of the stacked gradient.
#include "dynlearn/models/segmented_field.hpp"

#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

SegmentedField::SegmentedField(const integrate::VectorField& field,
                               const SegmentedGradients& segmented)
    : field_(field), segmented_(segmented) {}

void SegmentedField::set_bounds(std::vector<Index> bounds) {
  if (bounds.size() < 2 || bounds.front() != 0)
    throw Error(ExitCode::internal, "SegmentedField: bounds must start at 0 and hold a segment");
  for (std::size_t s = 1; s < bounds.size(); ++s) {
    if (bounds[s] < bounds[s - 1])
      throw Error(ExitCode::internal, "SegmentedField: bounds must ascend");
  }
  bounds_ = std::move(bounds);
}

Index SegmentedField::num_parameters() const {
  return field_.num_parameters() * segments();
}

Eigen::VectorXd SegmentedField::parameters() const {
  return field_.parameters().replicate(segments(), 1);
}

void SegmentedField::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& /*values*/) {
  throw Error(ExitCode::internal,
              "SegmentedField: its copies of θ are tied to the field; set θ on the field");
}

Eigen::Map<MatrixXd> SegmentedField::gradients(
    Eigen::Ref<Eigen::VectorXd> parameter_gradient) const {
  if (parameter_gradient.size() != num_parameters()) {
    throw Error(ExitCode::internal, "SegmentedField: gradient of " +
                                        std::to_string(parameter_gradient.size()) +
                                        " entries for " + std::to_string(num_parameters()));
  }
  return {parameter_gradient.data(), field_.num_parameters(), segments()};
}

void SegmentedField::vjp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> x_adjoint,
                         Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                         integrate::FieldTape& tape) const {
  segmented_.vjp_segments(upstream, x_adjoint, gradients(parameter_gradient), bounds_, tape);
}

void SegmentedField::vjp_dq(const Eigen::Ref<const MatrixXd>& upstream,
                            Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                            Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                            integrate::FieldTape& tape) const {
  segmented_.vjp_dq_segments(upstream, q_adjoint, p_adjoint, gradients(parameter_gradient), bounds_,
                             tape);
}

void SegmentedField::vjp_dp(const Eigen::Ref<const MatrixXd>& upstream,
                            Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                            Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                            integrate::FieldTape& tape) const {
  segmented_.vjp_dp_segments(upstream, q_adjoint, p_adjoint, gradients(parameter_gradient), bounds_,
                             tape);
}

}  // namespace dynlearn::models
