// The ground-truth equations of motion as a (parameter-free) vector field, so
// the true system can be integrated by the same steppers as the learned
// models: SRNN Table 3's last row ("true eqns., no training, leapfrog").
#pragma once

#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::models {

class TrueEquations final : public integrate::VectorField {
 public:
  explicit TrueEquations(const systems::System& system) : system_(system) {}
  Eigen::Index state_dim() const override { return system_.state_dim(); }
  Eigen::Index num_parameters() const override { return 0; }
  Eigen::VectorXd parameters() const override { return {}; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>&) override {}
  std::unique_ptr<integrate::FieldTape> make_tape() const override;
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override;
  /// Not available: the systems give f, not its derivatives. Throws InputError
  /// (so test-time ISO cannot be combined with this baseline).
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient, integrate::FieldTape& tape) const override;

 private:
  const systems::System& system_;
};

}  // namespace dynlearn::models
