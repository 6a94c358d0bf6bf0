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
  // Pinned equilibrium: the batch with x_eq appended as its last column, and
  // the upstream extended by minus its column sum (the g(x_eq) term). Odd
  // force: the batch followed by its mirror image -x, and the upstream
  // halved and followed by its negation.
  MatrixXd extended, extended_upstream;
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

void SecondOrderNet::set_equilibrium(std::optional<Eigen::VectorXd> equilibrium) {
  if (equilibrium) {
    require(symmetry_ == ForceSymmetry::none,
            "second-order net: an odd force already vanishes at 0; do not pin an equilibrium");
    require(equilibrium->size() == dimension(),
            "second-order net: the equilibrium has " + std::to_string(equilibrium->size()) +
                " components, x has " + std::to_string(dimension()));
  }
  equilibrium_ = std::move(equilibrium);
}

void SecondOrderNet::set_symmetry(ForceSymmetry symmetry) {
  require(symmetry == ForceSymmetry::none || !equilibrium_,
          "second-order net: an odd force already vanishes at 0; do not pin an equilibrium");
  symmetry_ = symmetry;
}

void SecondOrderNet::force(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                           nn::MlpWorkspace& workspace) const {
  if (symmetry_ == ForceSymmetry::odd) {
    MatrixXd extended(x.rows(), 2 * x.cols());
    extended << x, -x;
    const MatrixXd& g = network_.forward(extended, workspace);
    out = 0.5 * (g.leftCols(x.cols()) - g.rightCols(x.cols()));
    return;
  }
  if (!equilibrium_) {
    out = network_.forward(x, workspace);
    return;
  }
  MatrixXd extended(x.rows(), x.cols() + 1);
  extended << x, *equilibrium_;
  const MatrixXd& g = network_.forward(extended, workspace);
  out = g.leftCols(x.cols()).colwise() - g.col(x.cols());
}

void SecondOrderNet::force_into(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                                integrate::FieldTape& tape) const {
  SecondOrderTape& t = own_tape(tape);
  if (symmetry_ == ForceSymmetry::odd) {
    // One forward pass over [x, -x]: f is odd whatever θ is (to rounding, and
    // f(0) = 0 exactly since a - a = 0).
    const Index n = x.cols();
    t.extended.resize(x.rows(), 2 * n);
    t.extended.leftCols(n) = x;
    t.extended.rightCols(n) = -x;
    const MatrixXd& g = network_.forward(t.extended, t.workspace);
    out = 0.5 * (g.leftCols(n) - g.rightCols(n));
    return;
  }
  if (!equilibrium_) {
    out = network_.forward(x, t.workspace);
    return;
  }
  // One forward pass over [x, x_eq]: the pin costs one column, and the
  // workspace then holds what force_vjp needs for both terms.
  const Index n = x.cols();
  t.extended.resize(x.rows(), n + 1);
  t.extended.leftCols(n) = x;
  t.extended.col(n) = *equilibrium_;
  const MatrixXd& g = network_.forward(t.extended, t.workspace);
  out = g.leftCols(n).colwise() - g.col(n);
}

void SecondOrderNet::force_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                               Eigen::Ref<MatrixXd> adjoint,
                               Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                               integrate::FieldTape& tape) const {
  SecondOrderTape& t = own_tape(tape);
  if (symmetry_ == ForceSymmetry::odd) {
    // f(x) = (g(x) - g(-x)) / 2: column k of x gets u/2 through g(x_k) and
    // -u/2 through g(-x_k), whose adjoint flips sign once more by the chain
    // rule through -x_k.
    const Index n = upstream.cols();
    t.extended_upstream.resize(upstream.rows(), 2 * n);
    t.extended_upstream.leftCols(n) = 0.5 * upstream;
    t.extended_upstream.rightCols(n) = -0.5 * upstream;
    // f does not depend on the output bias; the ± halves cancel in its
    // gradient only to rounding, so its entries are restored exactly.
    const Index last = network_.num_layers() - 1;
    const bool output_bias = network_.has_bias(last);
    const Index last_bias = output_bias ? network_.bias_offset(last) : 0;
    const Eigen::VectorXd kept =
        output_bias ? Eigen::VectorXd(parameter_gradient.segment(last_bias, dimension()))
                    : Eigen::VectorXd();
    const MatrixXd& a = network_.vjp(t.extended_upstream, parameter_gradient, t.workspace);
    adjoint = a.leftCols(n) - a.rightCols(n);
    if (output_bias) parameter_gradient.segment(last_bias, dimension()) = kept;
    return;
  }
  if (!equilibrium_) {
    adjoint = network_.vjp(upstream, parameter_gradient, t.workspace);
    return;
  }
  // f(x_k) = g(x_k) - g(x_eq) for every column k: x_eq's column receives
  // minus the sum of the upstream; x_eq is a constant, its adjoint is dropped.
  const Index n = upstream.cols();
  t.extended_upstream.resize(upstream.rows(), n + 1);
  t.extended_upstream.leftCols(n) = upstream;
  t.extended_upstream.col(n) = -upstream.rowwise().sum();
  adjoint = network_.vjp(t.extended_upstream, parameter_gradient, t.workspace).leftCols(n);
}

std::unique_ptr<integrate::FieldTape> SecondOrderNet::make_tape() const {
  return std::make_unique<SecondOrderTape>();
}

void SecondOrderNet::evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                              integrate::FieldTape& tape) const {
  const Index d = dimension();
  out.topRows(d) = x.bottomRows(d);
  force_into(x.topRows(d), out.bottomRows(d), tape);
}

void SecondOrderNet::vjp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> x_adjoint,
                         Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                         integrate::FieldTape& tape) const {
  const Index d = dimension();
  force_vjp(upstream.bottomRows(d), x_adjoint.topRows(d), parameter_gradient, tape);
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
  force_into(q, out, tape);
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
  force_vjp(upstream, q_adjoint, parameter_gradient, tape);
  p_adjoint.setZero();
}

}  // namespace dynlearn::models
