// Explicit Runge-Kutta steppers (Euler, classical RK4, Dormand-Prince 5(4) with
// step-size control) and their discrete adjoints, from one Butcher-tableau rule.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "dynlearn/integrate/stepper.hpp"

namespace dynlearn::integrate {

/// Explicit Runge-Kutta stepper. Euler and RK4 take `substeps` fixed steps per
/// output interval; dopri5 adapts its steps between output times (the last
/// step of an interval is shortened to land on the output time) and reuses
/// the last stage of a step as the first of the next (FSAL).
///
/// Backward pass: every accepted step keeps one FieldTape per stage, and the
/// adjoint of a step x' = x + h Σ b_i k_i, k_i = f(x + h Σ_j a_ij k_j) is run
/// stage by stage in reverse; rejected attempts leave nothing on the tape.
class RungeKutta final : public Stepper {
 public:
  /// kind: euler, rk4 or dopri5.
  RungeKutta(StepperKind kind, StepperOptions options = {});
  ~RungeKutta() override;

  StepperKind kind() const override { return kind_; }
  std::vector<double> step_sizes() const override;
  void freeze_step_sizes(bool frozen) override;

  /// Rejected attempts and field evaluations of the last rollout.
  int rejected_steps() const { return rejected_; }
  int evaluations() const { return evaluations_; }

 private:
  struct Tableau {
    int stages = 0;
    std::vector<std::vector<double>> a;  // a[i][j], j < i
    std::vector<double> b;               // solution weights
    std::vector<double> error;           // b - b̂ (embedded method), empty if none
    bool first_same_as_last = false;     // last stage is f(x_new)
    std::vector<bool> needed;            // stage influences x_new (else no VJP)
  };
  struct StepTape {
    double h = 0.0;
    std::vector<std::unique_ptr<FieldTape>> stages;
  };

  void forward(const VectorField& field, double dt, int n_steps) override;
  void backward(const VectorField& field, const std::vector<Eigen::MatrixXd>& upstream,
                Eigen::Ref<Eigen::VectorXd> parameter_gradient) override;

  void forward_fixed(const VectorField& field, double dt, int n_steps);
  void forward_adaptive(const VectorField& field, double dt, int n_steps);
  /// One step of size h from x into x_new_ on `tape`; stage 0 is evaluated
  /// unless `first_known` (FSAL: k_[0] and its tape already hold f(x)).
  void attempt(const VectorField& field, const Eigen::MatrixXd& x, double h, StepTape& tape,
               bool first_known);
  /// Hairer's RMS error norm of the last attempt from x.
  double error_norm(const Eigen::MatrixXd& x, double h);
  /// Hairer's starting step (Solving ODEs I, II.4), from f(x0) in k_[0].
  double initial_step(const VectorField& field, const Eigen::MatrixXd& x0, FieldTape& scratch);
  /// The tape of step `index`, created (with this field's tapes) on first use.
  StepTape& step_tape(const VectorField& field, std::size_t index);
  void step_vjp(const VectorField& field, StepTape& tape, Eigen::MatrixXd& adjoint,
                Eigen::Ref<Eigen::VectorXd> parameter_gradient);

  StepperKind kind_;
  Tableau tableau_;
  std::vector<StepTape> tapes_;              // reused across rollouts
  const VectorField* tape_field_ = nullptr;  // whose tapes tapes_ holds
  std::size_t used_steps_ = 0;
  std::vector<std::size_t> interval_begin_;  // first step of each output interval, + end
  std::vector<Eigen::MatrixXd> k_;           // stage derivatives
  std::vector<Eigen::MatrixXd> k_adjoint_;
  Eigen::MatrixXd x_, x_new_, y_, y_adjoint_, error_;
  bool frozen_ = false;
  std::vector<double> frozen_h_;
  std::vector<std::size_t> frozen_begin_;
  double frozen_dt_ = 0.0;
  int rejected_ = 0;
  int evaluations_ = 0;
};

}  // namespace dynlearn::integrate
