// Leapfrog (Störmer-Verlet, kick-drift-kick) on a state x = [q; p] with its
// discrete adjoint: the integrator of SRNN (section 3.2, equation 4).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "dynlearn/integrate/stepper.hpp"

namespace dynlearn::integrate {

/// One step of size h:
///   p½ = p + h/2 ṗ(q, p),  q' = q + h q̇(q, p½),  p' = p½ + h/2 ṗ(q', p½).
/// For a separable field (ṗ depends on q only) this is symplectic and the
/// closing kick of a step equals the opening kick of the next, so one ṗ
/// evaluation (and one VJP) serves both; otherwise each kick has its own.
class Leapfrog final : public Stepper {
 public:
  explicit Leapfrog(StepperOptions options = {});
  ~Leapfrog() override;

  StepperKind kind() const override { return StepperKind::leapfrog; }
  std::vector<double> step_sizes() const override;

  /// Field evaluations (dq and dp halves each count one) of the last rollout.
  int evaluations() const { return evaluations_; }

 private:
  void forward(const VectorField& field, double dt, int n_steps) override;
  void backward(const VectorField& field, const std::vector<Eigen::MatrixXd>& upstream,
                Eigen::Ref<Eigen::VectorXd> parameter_gradient) override;
  FieldTape& tape(std::vector<std::unique_ptr<FieldTape>>& tapes, std::size_t index,
                  const VectorField& field);

  // Kick k of step s is kick_tapes_[separable ? s + k : 2 s + k] (k = 0, 1);
  // drift of step s is drift_tapes_[s].
  std::vector<std::unique_ptr<FieldTape>> kick_tapes_;
  std::vector<std::unique_ptr<FieldTape>> drift_tapes_;
  const VectorField* tape_field_ = nullptr;
  bool separable_ = false;
  int total_steps_ = 0;
  double h_ = 0.0;
  Eigen::MatrixXd q_, p_, kick_rate_, drift_rate_;
  Eigen::MatrixXd q_adjoint_, p_adjoint_, pending_kick_;
  Eigen::MatrixXd scaled_, q_part_, p_part_;
  int evaluations_ = 0;
};

}  // namespace dynlearn::integrate
