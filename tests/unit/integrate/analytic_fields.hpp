// Small vector fields with known solutions and hand-written VJPs, for the
// stepper tests: a separable harmonic oscillator with learnable stiffnesses,
// and a damped pendulum that only implements the full field (so leapfrog goes
// through the default split view and its non-separable path).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <memory>

#include "dynlearn/integrate/vector_field.hpp"

namespace dynlearn::integrate::testing {

/// H = Σ p_i²/2 + k_i q_i²/2: dq/dt = p, dp/dt = -k ⊙ q, θ = k.
class HarmonicField final : public VectorField {
 public:
  explicit HarmonicField(Eigen::VectorXd stiffness) : k_(std::move(stiffness)) {}

  Eigen::Index state_dim() const override { return 2 * k_.size(); }
  Eigen::Index num_parameters() const override { return k_.size(); }
  Eigen::VectorXd parameters() const override { return k_; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override { k_ = values; }
  std::unique_ptr<FieldTape> make_tape() const override { return std::make_unique<Tape>(); }

  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                FieldTape& tape) const override {
    const Eigen::Index n = k_.size();
    static_cast<Tape&>(tape).q = x.topRows(n);
    out.topRows(n) = x.bottomRows(n);
    out.bottomRows(n) = -(k_.asDiagonal() * x.topRows(n));
  }
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& g, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> gradient, FieldTape& tape) const override {
    const Eigen::Index n = k_.size();
    x_adjoint.topRows(n) = -(k_.asDiagonal() * g.bottomRows(n));
    x_adjoint.bottomRows(n) = g.topRows(n);
    gradient -= g.bottomRows(n).cwiseProduct(static_cast<Tape&>(tape).q).rowwise().sum();
  }

  bool separable() const override { return true; }
  void evaluate_dq(const Eigen::Ref<const Eigen::MatrixXd>&,
                   const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                   FieldTape&) const override {
    out = p;
  }
  void evaluate_dp(const Eigen::Ref<const Eigen::MatrixXd>& q,
                   const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd> out,
                   FieldTape& tape) const override {
    static_cast<Tape&>(tape).q = q;
    out = -(k_.asDiagonal() * q);
  }
  void vjp_dq(const Eigen::Ref<const Eigen::MatrixXd>& g, Eigen::Ref<Eigen::MatrixXd> q_adjoint,
              Eigen::Ref<Eigen::MatrixXd> p_adjoint, Eigen::Ref<Eigen::VectorXd>,
              FieldTape&) const override {
    q_adjoint.setZero();
    p_adjoint = g;
  }
  void vjp_dp(const Eigen::Ref<const Eigen::MatrixXd>& g, Eigen::Ref<Eigen::MatrixXd> q_adjoint,
              Eigen::Ref<Eigen::MatrixXd> p_adjoint, Eigen::Ref<Eigen::VectorXd> gradient,
              FieldTape& tape) const override {
    q_adjoint = -(k_.asDiagonal() * g);
    p_adjoint.setZero();
    gradient -= g.cwiseProduct(static_cast<Tape&>(tape).q).rowwise().sum();
  }

  /// H per column of x = [q; p].
  Eigen::RowVectorXd energy(const Eigen::MatrixXd& x) const {
    const Eigen::Index n = k_.size();
    return 0.5 *
           (x.bottomRows(n).array().square().colwise().sum() +
            (k_.asDiagonal() * x.topRows(n).array().square().matrix()).array().colwise().sum());
  }

 private:
  struct Tape final : FieldTape {
    Eigen::MatrixXd q;
  };
  Eigen::VectorXd k_;
};

/// dq/dt = p, dp/dt = -a sin q - b p, θ = (a, b); full field only.
class DampedPendulumField final : public VectorField {
 public:
  DampedPendulumField(double a, double b) : theta_(2) { theta_ << a, b; }

  Eigen::Index state_dim() const override { return 2; }
  Eigen::Index num_parameters() const override { return 2; }
  Eigen::VectorXd parameters() const override { return theta_; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override { theta_ = values; }
  std::unique_ptr<FieldTape> make_tape() const override { return std::make_unique<Tape>(); }

  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                FieldTape& tape) const override {
    static_cast<Tape&>(tape).x = x;
    out.row(0) = x.row(1);
    out.row(1) = -theta_[0] * x.row(0).array().sin().matrix() - theta_[1] * x.row(1);
  }
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& g, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> gradient, FieldTape& tape) const override {
    const Eigen::MatrixXd& x = static_cast<Tape&>(tape).x;
    x_adjoint.row(0) = -theta_[0] * g.row(1).cwiseProduct(x.row(0).array().cos().matrix());
    x_adjoint.row(1) = g.row(0) - theta_[1] * g.row(1);
    gradient[0] -= g.row(1).cwiseProduct(x.row(0).array().sin().matrix()).sum();
    gradient[1] -= g.row(1).cwiseProduct(x.row(1)).sum();
  }

 private:
  struct Tape final : FieldTape {
    Eigen::MatrixXd x;
  };
  Eigen::VectorXd theta_;
};

}  // namespace dynlearn::integrate::testing
