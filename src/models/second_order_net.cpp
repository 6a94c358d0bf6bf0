// Second-order net: the network sees positions only; velocities pass through.
#include "dynlearn/models/second_order_net.hpp"

#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

struct SecondOrderTape final : integrate::FieldTape {
  nn::MlpWorkspace workspace;
};

SecondOrderTape& own_tape(integrate::FieldTape& tape) {
  return static_cast<SecondOrderTape&>(tape);
}

std::vector<Index> force_sizes(Index dimension, const std::vector<Index>& hidden) {
  require(dimension > 0, "second-order net: the dimension of x must be positive, got " +
                             std::to_string(dimension));
  std::vector<Index> sizes{dimension};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(dimension);
  return sizes;
}

}  // namespace

SecondOrderNet::SecondOrderNet(Index dimension, const std::vector<Index>& hidden,
                               std::string_view activation)
    : network_(force_sizes(dimension, hidden), nn::parse_activation(activation)) {}

void SecondOrderNet::initialize(std::uint64_t seed, std::uint64_t index) {
  network_.initialize(seed, index);
}

void SecondOrderNet::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  require(values.size() == num_parameters(),
          "second-order net expects " + std::to_string(num_parameters()) + " parameters, got " +
              std::to_string(values.size()));
  network_.set_parameters(values);
}

void SecondOrderNet::force(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                           nn::MlpWorkspace& workspace) const {
  out = network_.forward(x, workspace);
}

std::unique_ptr<integrate::FieldTape> SecondOrderNet::make_tape() const {
  return std::make_unique<SecondOrderTape>();
}

void SecondOrderNet::evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                              integrate::FieldTape& tape) const {
  const Index d = dimension();
  out.topRows(d) = x.bottomRows(d);
  out.bottomRows(d) = network_.forward(x.topRows(d), own_tape(tape).workspace);
}

void SecondOrderNet::vjp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> x_adjoint,
                         Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                         integrate::FieldTape& tape) const {
  const Index d = dimension();
  x_adjoint.topRows(d) =
      network_.vjp(upstream.bottomRows(d), parameter_gradient, own_tape(tape).workspace);
  x_adjoint.bottomRows(d) = upstream.topRows(d);
}

void SecondOrderNet::evaluate_dq(const Eigen::Ref<const MatrixXd>& q,
                                 const Eigen::Ref<const MatrixXd>& p, Eigen::Ref<MatrixXd> out,
                                 integrate::FieldTape& tape) const {
  (void)q;
  (void)tape;
  out = p;
}

void SecondOrderNet::evaluate_dp(const Eigen::Ref<const MatrixXd>& q,
                                 const Eigen::Ref<const MatrixXd>& p, Eigen::Ref<MatrixXd> out,
                                 integrate::FieldTape& tape) const {
  (void)p;
  out = network_.forward(q, own_tape(tape).workspace);
}

void SecondOrderNet::vjp_dq(const Eigen::Ref<const MatrixXd>& upstream,
                            Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                            Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                            integrate::FieldTape& tape) const {
  (void)parameter_gradient;
  (void)tape;
  q_adjoint.setZero();
  p_adjoint = upstream;
}

void SecondOrderNet::vjp_dp(const Eigen::Ref<const MatrixXd>& upstream,
                            Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                            Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                            integrate::FieldTape& tape) const {
  q_adjoint = network_.vjp(upstream, parameter_gradient, own_tape(tape).workspace);
  p_adjoint.setZero();
}

}  // namespace dynlearn::models
