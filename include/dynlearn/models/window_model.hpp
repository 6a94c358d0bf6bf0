// What the training loop trains: anything that predicts a window of states
// from its initial state and gives the gradient of the squared error. An
// integrated vector field (O-NET, H-NET through a stepper) is one; sequence
// models (the vanilla RNN and LSTM baselines of SRNN) are others.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <span>
#include <vector>

#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/models/segmented_field.hpp"

namespace dynlearn::models {

struct WindowLoss {
  double sum_squares = 0.0;     ///< over windows, steps and components
  Eigen::MatrixXd x0_gradient;  ///< d(sum_squares)/d x0, when requested
};

class WindowModel {
 public:
  virtual ~WindowModel() = default;
  virtual Eigen::Index num_parameters() const = 0;
  virtual Eigen::VectorXd parameters() const = 0;
  virtual void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) = 0;

  /// Predicts targets.size() steps of spacing dt from the columns of x0 and
  /// returns the sum of squared errors; adds d/dθ to `parameter_gradient`
  /// (skipped when it has size 0) and fills x0_gradient if asked.
  virtual WindowLoss loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                          const std::vector<Eigen::MatrixXd>& targets, double dt,
                          Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                          bool want_x0_gradient) = 0;

  /// The states at steps 0..steps (states[0] = x0).
  virtual std::vector<Eigen::MatrixXd> predict(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                                               double dt, int steps) = 0;

  /// loss() of each column segment s = [bounds[s], bounds[s+1]) of x0 (and of
  /// the targets): adds its parameter gradient to partials(0..P-1, s) and its
  /// sum of squares to partials(P, s); partials is (P + 1) x segments. This
  /// default calls loss() on a copy of each segment.
  virtual void loss_segments(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                             const std::vector<Eigen::MatrixXd>& targets, double dt,
                             std::span<const Eigen::Index> bounds,
                             Eigen::Ref<Eigen::MatrixXd> partials);
  /// True when loss_segments rolls all segments out in one batch and each
  /// segment's column of partials has the same bits as loss() on that segment
  /// alone; then batching shards together changes no result.
  virtual bool joins_segments() const { return false; }

 private:
  Eigen::MatrixXd segment_x0_;  // the default loss_segments' copies
  std::vector<Eigen::MatrixXd> segment_targets_;
};

/// A vector field integrated by a stepper (backprop through the integrator).
class IntegratedField final : public WindowModel {
 public:
  IntegratedField(integrate::VectorField& field, std::unique_ptr<integrate::Stepper> stepper)
      : field_(field), stepper_(std::move(stepper)) {}
  Eigen::Index num_parameters() const override { return field_.num_parameters(); }
  Eigen::VectorXd parameters() const override { return field_.parameters(); }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override {
    field_.set_parameters(values);
  }
  WindowLoss loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                  const std::vector<Eigen::MatrixXd>& targets, double dt,
                  Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool want_x0_gradient) override;
  std::vector<Eigen::MatrixXd> predict(const Eigen::Ref<const Eigen::MatrixXd>& x0, double dt,
                                       int steps) override;

  /// One rollout of all segments through a SegmentedField view of the field,
  /// when the field has per-segment gradients and independent columns.
  void loss_segments(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                     const std::vector<Eigen::MatrixXd>& targets, double dt,
                     std::span<const Eigen::Index> bounds,
                     Eigen::Ref<Eigen::MatrixXd> partials) override;
  bool joins_segments() const override;

 private:
  integrate::VectorField& field_;
  std::unique_ptr<integrate::Stepper> stepper_;
  std::vector<Eigen::MatrixXd> upstream_;  // reused: loss() runs once per shard and batch
  Eigen::VectorXd scratch_gradient_;
  // Joined rollouts: their own stepper, so the tapes of the field and of the
  // view are not recreated at every switch between loss() and loss_segments().
  std::unique_ptr<SegmentedField> segmented_view_;
  std::unique_ptr<integrate::Stepper> segmented_stepper_;
  Eigen::VectorXd segmented_gradient_;
};

}  // namespace dynlearn::models
