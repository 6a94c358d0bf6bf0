// Elementwise activation functions of the dense networks, with their
// derivatives up to third order (the Helmholtz metrics backpropagate through
// second directional derivatives, which needs the third).
#pragma once

#include <Eigen/Core>
#include <string_view>

namespace dynlearn::nn {

enum class Activation {
  identity,
  tanh,
  softplus,  // log(1 + exp(z))
  relu,      // derivatives taken as 0 for z <= 0 (the kink itself is not differentiable)
  sigmoid,   // 1 / (1 + exp(-z))
};

/// The name used in decks ("identity", "tanh", "softplus", "relu", "sigmoid").
std::string_view activation_name(Activation activation);

/// Parses a deck name; throws InputError naming the valid choices otherwise.
Activation parse_activation(std::string_view name);

/// The derivative of order `order` (0 = value, up to 3) at one point. Reference
/// implementation for tests and scalar code; batched code uses the array forms.
double activation_derivative(Activation activation, int order, double z);

/// out = σ^(order)(z) elementwise, order in 0..3. `out` must have the shape of `z`.
void activation_derivative(Activation activation, int order,
                           const Eigen::Ref<const Eigen::ArrayXXd>& z,
                           Eigen::Ref<Eigen::ArrayXXd> out);

/// value = σ(z) and first = σ'(z) in one sweep (shares the exp/tanh evaluation);
/// what every forward pass needs.
void activation_value_and_first(Activation activation, const Eigen::Ref<const Eigen::ArrayXXd>& z,
                                Eigen::Ref<Eigen::ArrayXXd> value,
                                Eigen::Ref<Eigen::ArrayXXd> first);

/// second = σ''(z) and third = σ'''(z) in one sweep; what second-order modes need.
/// Second (and, unless `third` is null, third) derivatives from the value
/// and first derivative already computed in the forward pass: pure
/// arithmetic, no transcendental calls (they dominate wide networks).
void activation_higher_from_first(Activation activation, const Eigen::Ref<const Eigen::ArrayXXd>& value,
                                  const Eigen::Ref<const Eigen::ArrayXXd>& first,
                                  Eigen::Ref<Eigen::ArrayXXd> second, Eigen::ArrayXXd* third);

void activation_second_and_third(Activation activation, const Eigen::Ref<const Eigen::ArrayXXd>& z,
                                 Eigen::Ref<Eigen::ArrayXXd> second,
                                 Eigen::Ref<Eigen::ArrayXXd> third);

}  // namespace dynlearn::nn
