// The spectral layer: PETSc's GLL rule against closed forms, Legendre values,
// Lagrange interpolation and differentiation exact on polynomials of degree
// <= p, element chains, and the spectral convergence SNet relies on.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/spectral/element_chain.hpp"
#include "dynlearn/spectral/lagrange_basis.hpp"
#include "dynlearn/spectral/legendre.hpp"

namespace dynlearn::spectral {
namespace {

// Horner evaluation of sum c_k t^k and its derivative.
double poly(const Eigen::VectorXd& c, double t) {
  double v = 0.0;
  for (Eigen::Index k = c.size() - 1; k >= 0; --k) v = v * t + c(k);
  return v;
}
double poly_derivative(const Eigen::VectorXd& c, double t) {
  double v = 0.0;
  for (Eigen::Index k = c.size() - 1; k >= 1; --k) v = v * t + k * c(k);
  return v;
}

TEST(Legendre, GllRuleMatchesClosedFormForFourthOrder) {
  const GllRule rule = gauss_lobatto_legendre(4);
  const double a = std::sqrt(3.0 / 7.0);
  const Eigen::VectorXd nodes = (Eigen::VectorXd(5) << -1.0, -a, 0.0, a, 1.0).finished();
  const Eigen::VectorXd weights =
      (Eigen::VectorXd(5) << 0.1, 49.0 / 90.0, 32.0 / 45.0, 49.0 / 90.0, 0.1).finished();
  EXPECT_LT((rule.nodes - nodes).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LT((rule.weights - weights).cwiseAbs().maxCoeff(), 1e-15);
}

TEST(Legendre, GllNodesAreRootsOfTheDerivativeAndWeightsFollowTheFormula) {
  for (int p : {1, 2, 7, 14, 30}) {
    const GllRule rule = gauss_lobatto_legendre(p);
    const LegendreTable table = legendre_table(p, rule.nodes);
    EXPECT_DOUBLE_EQ(rule.nodes(0), -1.0);
    EXPECT_DOUBLE_EQ(rule.nodes(p), 1.0);
    for (int i = 1; i < p; ++i)
      EXPECT_NEAR(table.derivative(i, p), 0.0, 1e-11 * p * p) << "p=" << p;
    for (int i = 0; i <= p; ++i) {
      const double w = 2.0 / (p * (p + 1.0) * table.value(i, p) * table.value(i, p));
      EXPECT_NEAR(rule.weights(i), w, 1e-13) << "p=" << p << " i=" << i;
    }
    EXPECT_NEAR(rule.weights.sum(), 2.0, 1e-13);
  }
}

TEST(Legendre, ValuesAndDerivativesMatchBonnetsRecurrence) {
  const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(11, -1.0, 1.0);
  const LegendreTable table = legendre_table(6, x);
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    double pm = 1.0, pc = x(k);
    EXPECT_DOUBLE_EQ(table.value(k, 0), 1.0);
    EXPECT_NEAR(table.value(k, 1), x(k), 1e-15);
    for (int n = 1; n < 6; ++n) {
      const double pn = ((2 * n + 1) * x(k) * pc - n * pm) / (n + 1);
      pm = pc;
      pc = pn;
      EXPECT_NEAR(table.value(k, n + 1), pc, 1e-14);
    }
    // P_6'(x) = 6 (x P_6 - P_5) / (x^2 - 1) away from the ends.
    if (std::abs(x(k)) < 0.99) {
      EXPECT_NEAR(table.derivative(k, 6), 6.0 * (x(k) * pc - pm) / (x(k) * x(k) - 1.0), 1e-12);
    }
  }
}

TEST(Legendre, GllQuadratureIsExactToDegreeTwoPMinusOne) {
  const int p = 9;
  const GllRule rule = gauss_lobatto_legendre(p);
  for (int k = 0; k <= 2 * p - 1; ++k) {
    const double exact = (k % 2 == 1) ? 0.0 : 2.0 / (k + 1);
    const double q = rule.weights.dot(rule.nodes.array().pow(k).matrix());
    EXPECT_NEAR(q, exact, 1e-14) << "degree " << k;
  }
}

TEST(LagrangeBasis, DifferentiationAndInterpolationExactToDegreeP) {
  for (int p : {1, 3, 8, 14}) {
    const LagrangeBasis basis(gauss_lobatto_legendre(p).nodes);
    const Eigen::MatrixXd d = basis.differentiation();
    const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(23, -1.0, 1.0);
    const Eigen::MatrixXd interp = basis.interpolation(x);
    for (int degree = 0; degree <= p; ++degree) {
      Eigen::VectorXd c = Eigen::VectorXd::Zero(degree + 1);
      for (int k = 0; k <= degree; ++k) c(k) = 1.0 / (k + 1.0) * ((k % 2) ? -1.0 : 1.0);
      Eigen::VectorXd values(p + 1), derivatives(p + 1);
      for (int i = 0; i <= p; ++i) {
        values(i) = poly(c, basis.nodes()(i));
        derivatives(i) = poly_derivative(c, basis.nodes()(i));
      }
      EXPECT_LT((d * values - derivatives).cwiseAbs().maxCoeff(), 1e-11 * (p + 1) * (p + 1))
          << "p=" << p << " degree=" << degree;
      for (Eigen::Index k = 0; k < x.size(); ++k)
        EXPECT_NEAR(interp.row(k).dot(values), poly(c, x(k)), 1e-12)
            << "p=" << p << " degree=" << degree;
    }
    // The derivative of x^(p+1) is not representable: the matrix must not be exact there.
    if (p >= 1) {
      Eigen::VectorXd values = basis.nodes().array().pow(p + 1);
      Eigen::VectorXd derivatives = (p + 1.0) * basis.nodes().array().pow(p);
      EXPECT_GT((d * values - derivatives).cwiseAbs().maxCoeff(), 1e-3);
    }
  }
}

TEST(LagrangeBasis, InterpolationAtANodeIsTheUnitRow) {
  const LagrangeBasis basis(gauss_lobatto_legendre(5).nodes);
  const Eigen::MatrixXd m = basis.interpolation(basis.nodes());
  EXPECT_TRUE(m.isIdentity(0.0));
}

TEST(ElementChain, NodesDerivativeAndSampleMapsOverSeveralElements) {
  const ElementChain chain(1.0, 7.0, 3, 4);
  EXPECT_EQ(chain.node_count(), 13);
  EXPECT_DOUBLE_EQ(chain.node_time(0), 1.0);
  EXPECT_DOUBLE_EQ(chain.node_time(4), 3.0);
  EXPECT_DOUBLE_EQ(chain.node_time(12), 7.0);
  EXPECT_EQ(chain.element_of(3.0), 1);  // an interface belongs to the element on its right
  EXPECT_EQ(chain.element_of(7.0), 2);
  EXPECT_THROW(chain.element_of(7.5), std::exception);
  // A cubic in t: nodal values reproduce it, the derivative matrix its
  // derivative on every element, and the global interpolation its values.
  const Eigen::VectorXd c = (Eigen::VectorXd(4) << 0.5, -1.0, 0.25, 0.125).finished();
  Eigen::VectorXd nodal(chain.node_count());
  for (int k = 0; k < chain.node_count(); ++k) nodal(k) = poly(c, chain.node_time(k));
  for (int e = 0; e < 3; ++e) {
    const Eigen::VectorXd t = chain.element_times(e);
    const Eigen::VectorXd der = chain.derivative() * nodal.segment(4 * e, 5);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(der(i), poly_derivative(c, t(i)), 1e-11);
  }
  const Eigen::VectorXd ts = Eigen::VectorXd::LinSpaced(31, 1.0, 7.0);
  const Eigen::VectorXd interpolated = chain.global_interpolation(ts) * nodal;
  for (Eigen::Index k = 0; k < ts.size(); ++k) EXPECT_NEAR(interpolated(k), poly(c, ts(k)), 1e-11);
  EXPECT_EQ(chain.block_elements(0, 2).size(), 2u);
  EXPECT_EQ(chain.block_elements(1, 2).begin, 2u);
}

// Spectral convergence: interpolating a smooth non-polynomial function on one
// element, the max error falls by at least a factor 10 per 4 orders until it
// reaches round-off.
TEST(ElementChain, FitErrorFallsExponentiallyWithOrder) {
  auto f = [](double t) { return std::sin(t) * std::exp(-0.1 * t) + std::cos(0.5 * t); };
  const Eigen::VectorXd ts = Eigen::VectorXd::LinSpaced(401, 0.0, 10.0);
  double previous = 0.0;
  for (int p = 6; p <= 26; p += 4) {
    const ElementChain chain(0.0, 10.0, 1, p);
    Eigen::VectorXd nodal(chain.node_count());
    for (int k = 0; k < chain.node_count(); ++k) nodal(k) = f(chain.node_time(k));
    const Eigen::VectorXd fit = chain.global_interpolation(ts) * nodal;
    double error = 0.0;
    for (Eigen::Index k = 0; k < ts.size(); ++k)
      error = std::max(error, std::abs(fit(k) - f(ts(k))));
    if (p > 6 && previous > 1e-11) {
      EXPECT_LT(error, 0.1 * previous) << "p=" << p;
    }
    previous = error;
  }
  EXPECT_LT(previous, 1e-10);
}

}  // namespace
}  // namespace dynlearn::spectral
