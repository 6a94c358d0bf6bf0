// The augmented leapfrog of SRNN section 6: with the exact rebound (walls of
// the heavy billiard, exact crossing time) and a constant-gravity field it
// reproduces the exact billiard trajectory (leapfrog is exact for a constant
// force); its discrete adjoint, through the rebound operator, the reflection
// and the α-dependent step sizes, matches central finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "analytic_fields.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/integrate/augmented_leapfrog.hpp"
#include "dynlearn/systems/heavy_billiard.hpp"
#include "rollout_fd.hpp"

namespace dynlearn::integrate {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using testing::uniform_matrix;

/// dq/dt = p, dp/dt = g: θ = g.
class GravityField final : public VectorField {
 public:
  explicit GravityField(Eigen::Vector2d g) : g_(g) {}
  Index state_dim() const override { return 4; }
  Index num_parameters() const override { return 2; }
  Eigen::VectorXd parameters() const override { return g_; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& v) override { g_ = v; }
  std::unique_ptr<FieldTape> make_tape() const override { return std::make_unique<FieldTape>(); }
  void evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                FieldTape&) const override {
    out.topRows(2) = x.bottomRows(2);
    out.bottomRows(2) = g_.replicate(1, x.cols());
  }
  void vjp(const Eigen::Ref<const MatrixXd>& g, Eigen::Ref<MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> gradient, FieldTape&) const override {
    x_adjoint.topRows(2).setZero();
    x_adjoint.bottomRows(2) = g.topRows(2);
    gradient += g.bottomRows(2).rowwise().sum();
  }
  bool separable() const override { return true; }

 private:
  Eigen::VectorXd g_;
};

/// The exact rebound on the walls of [lo, hi]²: α is the first crossing time
/// of the parabola q + p τ + g τ²/2 over Δt, n the wall's unit normal (zero
/// when the tentative position stays inside). Forward only.
class ExactWalls final : public ReboundOperator {
 public:
  ExactWalls(double lo, double hi, const MatrixXd& start_momentum, Eigen::Vector2d g, double dt)
      : lo_(lo), hi_(hi), p_(start_momentum), g_(g), dt_(dt) {}
  void set_momentum(const MatrixXd& p) { p_ = p; }
  Index num_parameters() const override { return 0; }
  Eigen::VectorXd parameters() const override { return {}; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>&) override {}
  std::unique_ptr<ReboundTape> make_tape() const override {
    return std::make_unique<ReboundTape>();
  }
  void evaluate(const Eigen::Ref<const MatrixXd>& q, const Eigen::Ref<const MatrixXd>& q_tentative,
                Eigen::Ref<MatrixXd> n, Eigen::Ref<MatrixXd> alpha, Eigen::Ref<MatrixXd> penalty,
                ReboundTape&) const override {
    n.setZero();
    alpha.setZero();
    penalty.setZero();
    for (Index b = 0; b < q.cols(); ++b) {
      double first = std::numeric_limits<double>::infinity();
      int axis = -1;
      double sign = 0;
      for (int d = 0; d < 2; ++d) {
        for (double wall : {lo_, hi_}) {
          const bool crosses = wall == lo_ ? q_tentative(d, b) < lo_ : q_tentative(d, b) > hi_;
          if (!crosses) continue;
          // q + p τ + g τ²/2 = wall: the root in (0, Δt].
          const double a = 0.5 * g_(d), bb = p_(d, b), c = q(d, b) - wall;
          double tau;
          if (std::abs(a) < 1e-14) {
            tau = -c / bb;
          } else {
            const double disc = std::sqrt(bb * bb - 4 * a * c);
            const double r1 = (-bb - disc) / (2 * a), r2 = (-bb + disc) / (2 * a);
            tau = std::numeric_limits<double>::infinity();
            for (double r : {r1, r2})
              if (r > 0 && r < tau) tau = r;
          }
          if (tau < first) {
            first = tau;
            axis = d;
            sign = 1.0;
          }
        }
      }
      if (axis >= 0) {
        n(axis, b) = sign;
        alpha(0, b) = first / dt_;
      }
    }
  }
  void vjp(const Eigen::Ref<const MatrixXd>&, const Eigen::Ref<const MatrixXd>&,
           const Eigen::Ref<const MatrixXd>&, Eigen::Ref<MatrixXd>, Eigen::Ref<MatrixXd>,
           Eigen::Ref<Eigen::VectorXd>, ReboundTape&) const override {
    ADD_FAILURE() << "ExactWalls has no adjoint";
  }

 private:
  double lo_, hi_;
  MatrixXd p_;
  Eigen::Vector2d g_;
  double dt_;
};

TEST(AugmentedLeapfrog, ReproducesExactBilliardRebounds) {
  systems::HeavyBilliard billiard;
  billiard.prepare(1);
  const Eigen::Vector2d g(billiard.gravity[0], billiard.gravity[1]);
  GravityField field(g);
  const double dt = 0.1;
  const int steps = 30;
  const int batch = 16;
  MatrixXd x(4, batch);
  for (int b = 0; b < batch; ++b)
    x.col(b) = billiard.initial_state({1, static_cast<std::uint64_t>(b)});
  AugmentedLeapfrog stepper;
  long total_rebounds = 0;
  int compared = 0;
  // Step by step so the exact operator knows the momentum at the step start.
  for (int b = 0; b < batch; ++b) {
    Eigen::Vector4d exact = x.col(b);
    MatrixXd state = x.col(b);
    bool single = true;
    for (int s = 0; s < steps && single; ++s) {
      long rebounds = 0;
      const Eigen::Vector4d next = billiard.advance(exact, dt, &rebounds);
      if (rebounds > 1) {
        single = false;  // two walls in one step: outside the scheme's assumption
        break;
      }
      total_rebounds += rebounds;
      ExactWalls walls(billiard.lower(), billiard.upper(), state.bottomRows(2), g, dt);
      const auto& out = stepper.rollout(field, walls, state, dt, 1);
      state = out[1];
      exact = next;
      EXPECT_LT((state.col(0) - exact).cwiseAbs().maxCoeff(), 1e-11)
          << "trajectory " << b << " step " << s;
      if (rebounds == 1) {
        EXPECT_GT(stepper.alpha(0)(0, 0), 0.0);
        EXPECT_LE(stepper.alpha(0)(0, 0), 1.0);
      }
    }
    if (single) ++compared;
  }
  EXPECT_GE(compared, batch / 2);
  EXPECT_GE(total_rebounds, 20);  // the check is about rebounds: make sure there were many
}

TEST(AugmentedLeapfrog, ReflectionReversesNormalMomentum) {
  MatrixXd p(2, 3), n(2, 3);
  p << 1.0, 2.0, -0.5, 3.0, -1.0, 0.25;
  n << 1.0, 0.0, 0.6, 0.0, 0.0, 0.8;
  const MatrixXd r = reflect(p, n);
  EXPECT_DOUBLE_EQ(r(0, 0), -1.0);
  EXPECT_DOUBLE_EQ(r(1, 0), 3.0);
  EXPECT_DOUBLE_EQ(r(0, 1), 2.0);  // n = 0: unchanged
  EXPECT_DOUBLE_EQ(r(1, 1), -1.0);
  // Unit n: |p| kept, p·n flipped.
  EXPECT_NEAR(r.col(2).norm(), p.col(2).norm(), 1e-15);
  EXPECT_NEAR(r.col(2).dot(n.col(2)), -p.col(2).dot(n.col(2)), 1e-15);
}

/// A smooth rebound operator with parameters for the adjoint check:
/// n_i = tanh(a_i q̃_i + b_i q_i), α = σ(c Σ(q̃ - q) + e), penalty = |n|².
class SmoothRebound final : public ReboundOperator {
 public:
  explicit SmoothRebound(Index dim)
      : theta_(uniform_matrix(2 * dim + 2, 1, 7, -1.5, 1.5)), dim_(dim) {}
  Index num_parameters() const override { return theta_.size(); }
  Eigen::VectorXd parameters() const override { return theta_; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& v) override { theta_ = v; }
  std::unique_ptr<ReboundTape> make_tape() const override { return std::make_unique<Tape>(); }
  void evaluate(const Eigen::Ref<const MatrixXd>& q, const Eigen::Ref<const MatrixXd>& qt,
                Eigen::Ref<MatrixXd> n, Eigen::Ref<MatrixXd> alpha, Eigen::Ref<MatrixXd> penalty,
                ReboundTape& tape_base) const override {
    auto& tape = static_cast<Tape&>(tape_base);
    tape.q = q;
    tape.qt = qt;
    for (Index i = 0; i < dim_; ++i)
      n.row(i) = (theta_(i) * qt.row(i) + theta_(dim_ + i) * q.row(i)).array().tanh().matrix();
    tape.n = n;
    const Eigen::RowVectorXd z =
        theta_(2 * dim_) * (qt - q).colwise().sum().array() + theta_(2 * dim_ + 1);
    alpha = (1.0 / (1.0 + (-z.array()).exp())).matrix();
    tape.alpha = alpha;
    penalty = n.colwise().squaredNorm();
  }
  void vjp(const Eigen::Ref<const MatrixXd>& n_adj, const Eigen::Ref<const MatrixXd>& alpha_adj,
           const Eigen::Ref<const MatrixXd>& pen_adj, Eigen::Ref<MatrixXd> q_adj,
           Eigen::Ref<MatrixXd> qt_adj, Eigen::Ref<Eigen::VectorXd> grad,
           ReboundTape& tape_base) const override {
    auto& tape = static_cast<Tape&>(tape_base);
    for (Index i = 0; i < dim_; ++i) {
      const Eigen::ArrayXXd s_adj =
          (n_adj.row(i).array() + 2.0 * pen_adj.row(0).array() * tape.n.row(i).array()) *
          (1.0 - tape.n.row(i).array().square());
      grad(i) += (s_adj * tape.qt.row(i).array()).sum();
      grad(dim_ + i) += (s_adj * tape.q.row(i).array()).sum();
      qt_adj.row(i) = (theta_(i) * s_adj).matrix();
      q_adj.row(i) = (theta_(dim_ + i) * s_adj).matrix();
    }
    const Eigen::ArrayXXd z_adj =
        alpha_adj.array() * tape.alpha.array() * (1.0 - tape.alpha.array());
    grad(2 * dim_) += (z_adj * (tape.qt - tape.q).colwise().sum().array()).sum();
    grad(2 * dim_ + 1) += z_adj.sum();
    qt_adj.rowwise() += (theta_(2 * dim_) * z_adj).matrix().row(0);
    q_adj.rowwise() -= (theta_(2 * dim_) * z_adj).matrix().row(0);
  }

 private:
  struct Tape final : ReboundTape {
    MatrixXd q, qt, n, alpha;
  };
  Eigen::VectorXd theta_;
  Index dim_;
};

/// Central differences of L = Σ_k Σ W_k ⊙ X_k² + w_pen penalty against
/// rollout_vjp, for x0 and [θ_field; θ_R].
void check_adjoint(VectorField& field, ReboundOperator& rebound, const MatrixXd& x0, double dt,
                   int steps) {
  AugmentedLeapfrog stepper;
  const double penalty_weight = 0.3;
  std::vector<MatrixXd> weights;
  for (int k = 0; k <= steps; ++k)
    weights.push_back(uniform_matrix(x0.rows(), x0.cols(), 200 + k, 0.0, 1.0));
  const auto loss = [&](const MatrixXd& start) {
    const auto& states = stepper.rollout(field, rebound, start, dt, steps);
    double sum = penalty_weight * stepper.penalty();
    for (int k = 0; k <= steps; ++k) sum += (weights[k].array() * states[k].array().square()).sum();
    return sum;
  };
  const auto& states = stepper.rollout(field, rebound, x0, dt, steps);
  std::vector<MatrixXd> upstream;
  for (int k = 0; k <= steps; ++k) upstream.push_back(2.0 * weights[k].cwiseProduct(states[k]));
  // Rebounds must actually change the momenta, or the check would not cover them.
  double largest_n = 0.0;
  for (int s = 0; s < steps; ++s)
    largest_n = std::max(largest_n, stepper.normal(s).cwiseAbs().maxCoeff());
  EXPECT_GT(largest_n, 0.3);
  const Index nf = field.num_parameters(), nr = rebound.num_parameters();
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(nf + nr);
  const MatrixXd gx0 = stepper.rollout_vjp(field, rebound, upstream, penalty_weight, grad);

  const double h = 1e-6;
  MatrixXd ref_x0(x0.rows(), x0.cols());
  MatrixXd x = x0;
  for (Index i = 0; i < x.size(); ++i) {
    x(i) = x0(i) + h;
    const double plus = loss(x);
    x(i) = x0(i) - h;
    const double minus = loss(x);
    x(i) = x0(i);
    ref_x0(i) = (plus - minus) / (2 * h);
  }
  Eigen::VectorXd ref_theta(nf + nr);
  const Eigen::VectorXd tf = field.parameters(), tr = rebound.parameters();
  for (Index i = 0; i < nf + nr; ++i) {
    Eigen::VectorXd f = tf, r = tr;
    double& v = i < nf ? f(i) : r(i - nf);
    const double v0 = v;
    v = v0 + h;
    field.set_parameters(f);
    rebound.set_parameters(r);
    const double plus = loss(x0);
    v = v0 - h;
    field.set_parameters(f);
    rebound.set_parameters(r);
    const double minus = loss(x0);
    ref_theta(i) = (plus - minus) / (2 * h);
  }
  field.set_parameters(tf);
  rebound.set_parameters(tr);
  const double ex0 = testing::max_relative_error(gx0, ref_x0);
  const double eth = testing::max_relative_error(grad, ref_theta);
  std::printf("[ augmented leapfrog FD ] dL/dx0 %.2e  dL/dtheta %.2e\n", ex0, eth);
  EXPECT_LT(ex0, 1e-6);
  EXPECT_LT(eth, 1e-6);
}

TEST(AugmentedLeapfrog, AdjointMatchesFiniteDifferencesSeparable) {
  Eigen::VectorXd k(2);
  k << 1.3, 0.7;
  testing::HarmonicField field(k);
  SmoothRebound rebound(2);
  const MatrixXd x0 = uniform_matrix(4, 3, 3);
  check_adjoint(field, rebound, x0, 0.3, 4);
}

TEST(AugmentedLeapfrog, AdjointMatchesFiniteDifferencesNonSeparable) {
  testing::DampedPendulumField field(1.2, 0.3);
  SmoothRebound rebound(1);
  const MatrixXd x0 = uniform_matrix(2, 3, 4);
  check_adjoint(field, rebound, x0, 0.3, 4);
}

}  // namespace
}  // namespace dynlearn::integrate
