// O-NET (SRNN section 3.1): one network f_θ(q, p) whose outputs are read as
// (dq/dt, dp/dt), as a vector field the steppers integrate.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::models {

/// f_θ: R^{2n} -> R^{2n}, an MLP {2n, hidden..., 2n} with the given hidden
/// activation and a linear output. Its parameters are the network's flat vector.
class ONet final : public integrate::VectorField {
 public:
  /// `half` = n, the size of q (and of p); `hidden` the hidden widths (may be
  /// empty: a linear field); `activation` a deck name (nn::parse_activation).
  /// Throws InputError on bad sizes or an unknown activation.
  ONet(Eigen::Index half, const std::vector<Eigen::Index>& hidden,
       std::string_view activation = "tanh");

  /// PyTorch-like initialisation from stream (seed, 0, init_weights).
  void initialize(std::uint64_t seed);

  const nn::Mlp& network() const { return network_; }

  Eigen::Index state_dim() const override { return network_.input_size(); }
  Eigen::Index num_parameters() const override { return network_.num_parameters(); }
  Eigen::VectorXd parameters() const override { return network_.parameters(); }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;

  std::unique_ptr<integrate::FieldTape> make_tape() const override;
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override;
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override;

 private:
  nn::Mlp network_;
};

}  // namespace dynlearn::models
