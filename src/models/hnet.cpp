// H-NET: gradients of two scalar networks as the field; Hessian-vector
// products and the parameter gradients of <G, ∇K>, <G, ∇V> as its VJP.
#include "dynlearn/models/hnet.hpp"

#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

struct HNetTape final : integrate::FieldTape {
  nn::MlpWorkspace kinetic;
  nn::MlpWorkspace potential;
  MatrixXd negated;  // -G: dp/dt = -∇V, so <G, dp/dt> = <-G, ∇V>
};

std::vector<Index> scalar_sizes(Index half, const std::vector<Index>& hidden) {
  require(half > 0, "H-NET state half size must be positive, got " + std::to_string(half));
  require(!hidden.empty(),
          "H-NET needs at least one hidden layer (a linear K or V has a constant gradient)");
  std::vector<Index> sizes{half};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(1);
  return sizes;
}

HNetTape& hnet_tape(integrate::FieldTape& tape) {
  return static_cast<HNetTape&>(tape);
}

// The halves passed in and out are views (Eigen::Ref with a run-time outer
// stride) that are nearly always whole matrices; Eigen cannot know that
// from the type and copies them column by column, n entries at a time,
// which at n = 5 costs more per entry than the copy itself. These take one
// flat loop when both sides are contiguous (the same values either way).
bool contiguous(Index rows, Index cols, Index outer_stride) {
  return outer_stride == rows || cols <= 1;
}

// dst = scale * src (scale ±1: exact).
void assign(Eigen::Ref<MatrixXd> dst, const Eigen::Ref<const MatrixXd>& src, double scale) {
  if (contiguous(dst.rows(), dst.cols(), dst.outerStride()) &&
      contiguous(src.rows(), src.cols(), src.outerStride())) {
    Eigen::Map<Eigen::VectorXd> d(dst.data(), dst.size());
    const Eigen::Map<const Eigen::VectorXd> s(src.data(), src.size());
    if (scale == 1.0) {
      d = s;
    } else {
      d = -s;
    }
    return;
  }
  if (scale == 1.0) {
    dst = src;
  } else {
    dst = -src;
  }
}

void set_zero(Eigen::Ref<MatrixXd> dst) {
  if (contiguous(dst.rows(), dst.cols(), dst.outerStride())) {
    Eigen::Map<Eigen::VectorXd>(dst.data(), dst.size()).setZero();
    return;
  }
  dst.setZero();
}

// t.negated = -upstream, contiguous.
const MatrixXd& negate(const Eigen::Ref<const MatrixXd>& upstream, HNetTape& t) {
  t.negated.resize(upstream.rows(), upstream.cols());
  assign(t.negated, upstream, -1.0);
  return t.negated;
}

}  // namespace

HNet::HNet(Index half, const std::vector<Index>& hidden, std::string_view activation)
    : half_(half),
      kinetic_(scalar_sizes(half, hidden), nn::parse_activation(activation)),
      potential_(scalar_sizes(half, hidden), nn::parse_activation(activation)) {}

void HNet::initialize(std::uint64_t seed) {
  kinetic_.initialize(seed, 0);
  potential_.initialize(seed, 1);
}

Eigen::VectorXd HNet::parameters() const {
  Eigen::VectorXd theta(num_parameters());
  theta << kinetic_.parameters(), potential_.parameters();
  return theta;
}

void HNet::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  require(values.size() == num_parameters(), "H-NET expects " + std::to_string(num_parameters()) +
                                                 " parameters, got " +
                                                 std::to_string(values.size()));
  kinetic_.set_parameters(values.head(kinetic_.num_parameters()));
  potential_.set_parameters(values.tail(potential_.num_parameters()));
}

Eigen::RowVectorXd HNet::energy(const Eigen::Ref<const MatrixXd>& x) const {
  require(x.rows() == state_dim(), "H-NET energy of states with " + std::to_string(x.rows()) +
                                       " rows, expected " + std::to_string(state_dim()));
  nn::MlpWorkspace workspace;
  Eigen::RowVectorXd h = kinetic_.forward(x.bottomRows(half_), workspace);
  h += potential_.forward(x.topRows(half_), workspace);
  return h;
}

std::unique_ptr<integrate::FieldTape> HNet::make_tape() const {
  return std::make_unique<HNetTape>();
}

void HNet::evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                    integrate::FieldTape& tape) const {
  evaluate_dq(x.topRows(half_), x.bottomRows(half_), out.topRows(half_), tape);
  evaluate_dp(x.topRows(half_), x.bottomRows(half_), out.bottomRows(half_), tape);
}

void HNet::vjp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> x_adjoint,
               Eigen::Ref<Eigen::VectorXd> parameter_gradient, integrate::FieldTape& tape) const {
  // dq/dt depends on p only and dp/dt on q only: each half of the adjoint
  // comes from one network.
  HNetTape& t = hnet_tape(tape);
  x_adjoint.bottomRows(half_) = kinetic_.input_gradient_vjp(
      upstream.topRows(half_), parameter_gradient.head(kinetic_.num_parameters()), t.kinetic);
  t.negated = -upstream.bottomRows(half_);
  x_adjoint.topRows(half_) = potential_.input_gradient_vjp(
      t.negated, parameter_gradient.tail(potential_.num_parameters()), t.potential);
}

void HNet::evaluate_dq(const Eigen::Ref<const MatrixXd>& /*q*/, const Eigen::Ref<const MatrixXd>& p,
                       Eigen::Ref<MatrixXd> out, integrate::FieldTape& tape) const {
  HNetTape& t = hnet_tape(tape);
  kinetic_.forward(p, t.kinetic);
  assign(out, kinetic_.input_gradient(t.kinetic), 1.0);
}

void HNet::evaluate_dp(const Eigen::Ref<const MatrixXd>& q, const Eigen::Ref<const MatrixXd>& /*p*/,
                       Eigen::Ref<MatrixXd> out, integrate::FieldTape& tape) const {
  HNetTape& t = hnet_tape(tape);
  potential_.forward(q, t.potential);
  assign(out, potential_.input_gradient(t.potential), -1.0);
}

void HNet::vjp_dq(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> q_adjoint,
                  Eigen::Ref<MatrixXd> p_adjoint, Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                  integrate::FieldTape& tape) const {
  set_zero(q_adjoint);
  assign(p_adjoint,
         kinetic_.input_gradient_vjp(upstream, parameter_gradient.head(kinetic_.num_parameters()),
                                     hnet_tape(tape).kinetic),
         1.0);
}

void HNet::vjp_dp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> q_adjoint,
                  Eigen::Ref<MatrixXd> p_adjoint, Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                  integrate::FieldTape& tape) const {
  HNetTape& t = hnet_tape(tape);
  assign(
      q_adjoint,
      potential_.input_gradient_vjp(
          negate(upstream, t), parameter_gradient.tail(potential_.num_parameters()), t.potential),
      1.0);
  set_zero(p_adjoint);
}

void HNet::vjp_segments(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> x_adjoint,
                        Eigen::Ref<MatrixXd> parameter_gradients, std::span<const Index> bounds,
                        integrate::FieldTape& tape) const {
  HNetTape& t = hnet_tape(tape);
  x_adjoint.bottomRows(half_) = kinetic_.input_gradient_vjp(
      upstream.topRows(half_), parameter_gradients.topRows(kinetic_.num_parameters()), bounds,
      t.kinetic);
  t.negated = -upstream.bottomRows(half_);
  x_adjoint.topRows(half_) = potential_.input_gradient_vjp(
      t.negated, parameter_gradients.bottomRows(potential_.num_parameters()), bounds, t.potential);
}

void HNet::vjp_dq_segments(const Eigen::Ref<const MatrixXd>& upstream,
                           Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                           Eigen::Ref<MatrixXd> parameter_gradients, std::span<const Index> bounds,
                           integrate::FieldTape& tape) const {
  set_zero(q_adjoint);
  assign(
      p_adjoint,
      kinetic_.input_gradient_vjp(upstream, parameter_gradients.topRows(kinetic_.num_parameters()),
                                  bounds, hnet_tape(tape).kinetic),
      1.0);
}

void HNet::vjp_dp_segments(const Eigen::Ref<const MatrixXd>& upstream,
                           Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                           Eigen::Ref<MatrixXd> parameter_gradients, std::span<const Index> bounds,
                           integrate::FieldTape& tape) const {
  HNetTape& t = hnet_tape(tape);
  assign(q_adjoint,
         potential_.input_gradient_vjp(negate(upstream, t),
                                       parameter_gradients.bottomRows(potential_.num_parameters()),
                                       bounds, t.potential),
         1.0);
  set_zero(p_adjoint);
}

}  // namespace dynlearn::models
