// Per-segment parameter gradients of a batched field: the columns of a batch
// split into segments (the trainer's shards), each segment's gradient summed
// on its own, so several shards can be rolled out in one call and still be
// reduced shard by shard in the fixed order that makes training independent
// of the rank count.
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"

namespace dynlearn::models {

/// A field that can add the parameter gradient of its VJPs per column
/// segment: segment s = columns [bounds[s], bounds[s+1]) and its gradient goes
/// to column s of a num_parameters() x segments matrix.
class SegmentedGradients {
 public:
  virtual ~SegmentedGradients() = default;
  /// True when each column is computed with the same operations whatever the
  /// batch, so a segment's gradient has the same bits as a VJP of a batch of
  /// that segment alone (see nn::Mlp::columns_independent).
  virtual bool columns_independent() const = 0;
  virtual void vjp_segments(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                            Eigen::Ref<Eigen::MatrixXd> x_adjoint,
                            Eigen::Ref<Eigen::MatrixXd> parameter_gradients,
                            std::span<const Eigen::Index> bounds,
                            integrate::FieldTape& tape) const = 0;
  virtual void vjp_dq_segments(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                               Eigen::Ref<Eigen::MatrixXd> q_adjoint,
                               Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                               Eigen::Ref<Eigen::MatrixXd> parameter_gradients,
                               std::span<const Eigen::Index> bounds,
                               integrate::FieldTape& tape) const = 0;
  virtual void vjp_dp_segments(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                               Eigen::Ref<Eigen::MatrixXd> q_adjoint,
                               Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                               Eigen::Ref<Eigen::MatrixXd> parameter_gradients,
                               std::span<const Eigen::Index> bounds,
                               integrate::FieldTape& tape) const = 0;
};

/// The field seen as having one tied copy of θ per column segment: θ' =
/// [θ; θ; ...] (segments copies), and the gradient with respect to copy s is
/// segment s's gradient. A stepper's rollout_vjp on this view therefore
/// returns the per-segment gradients stacked in one vector, through the
/// ordinary VectorField interface. Evaluations are the field's own.
class SegmentedField final : public integrate::VectorField {
 public:
  /// `field` and `segmented` are the same object (a field implementing both).
  SegmentedField(const integrate::VectorField& field, const SegmentedGradients& segmented);

  /// Segment bounds for the next rollouts (ascending, from 0 to the batch).
  void set_bounds(std::vector<Eigen::Index> bounds);
  Eigen::Index segments() const { return static_cast<Eigen::Index>(bounds_.size()) - 1; }

  Eigen::Index state_dim() const override { return field_.state_dim(); }
  /// The field's parameter count times segments().
  Eigen::Index num_parameters() const override;
  /// The field's θ repeated segments() times.
  Eigen::VectorXd parameters() const override;
  /// Throws: the copies are tied to the field, whose θ is set on the field.
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;

  std::unique_ptr<integrate::FieldTape> make_tape() const override { return field_.make_tape(); }
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override {
    field_.evaluate(x, out, tape);
  }
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override;

  bool separable() const override { return field_.separable(); }
  void evaluate_dq(const Eigen::Ref<const Eigen::MatrixXd>& q,
                   const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                   integrate::FieldTape& tape) const override {
    field_.evaluate_dq(q, p, out, tape);
  }
  void evaluate_dp(const Eigen::Ref<const Eigen::MatrixXd>& q,
                   const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                   integrate::FieldTape& tape) const override {
    field_.evaluate_dp(q, p, out, tape);
  }
  void vjp_dq(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
              Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
              Eigen::Ref<Eigen::VectorXd> parameter_gradient,
              integrate::FieldTape& tape) const override;
  void vjp_dp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
              Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
              Eigen::Ref<Eigen::VectorXd> parameter_gradient,
              integrate::FieldTape& tape) const override;

 private:
  Eigen::Map<Eigen::MatrixXd> gradients(Eigen::Ref<Eigen::VectorXd> parameter_gradient) const;

  const integrate::VectorField& field_;
  const SegmentedGradients& segmented_;
  std::vector<Eigen::Index> bounds_{0, 0};
};

}  // namespace dynlearn::models
