// OscillatorNet (oscillatornet.txt): every gradient against central finite
// differences (solver step matrices, teacher-forced losses of every weight
// parametrisation, the mapping net with shared and wide kernels and both
// paddings, the ResNet baseline), the backward stencils against Table 4,
// the weights' meaning (a noise-free trajectory is reproduced by the weights
// of its own discretisation), and energy conservation of the one-filter net.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/oscillatornet.hpp"
#include "dynlearn/models/oscillatornet_mapping.hpp"
#include "dynlearn/models/resnet_baseline.hpp"

namespace dynlearn::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kTolerance = 1e-6;  // relative max-norm error vs central differences

MatrixXd random_matrix(Index rows, Index cols, std::uint64_t index, double lo = -1.0,
                       double hi = 1.0) {
  core::Rng rng(11, index, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(lo, hi);
  return m;
}

VectorXd fd_gradient(const std::function<double(const VectorXd&)>& f, const VectorXd& at) {
  VectorXd g(at.size());
  for (Index i = 0; i < at.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::abs(at(i)));
    VectorXd p = at, m = at;
    p(i) += h;
    m(i) -= h;
    g(i) = (f(p) - f(m)) / (2.0 * h);
  }
  return g;
}

void expect_gradient(const std::string& check,
                     const std::function<double(const VectorXd&, VectorXd*)>& loss,
                     const VectorXd& at) {
  VectorXd analytic = VectorXd::Zero(at.size());
  loss(at, &analytic);
  const VectorXd reference = fd_gradient([&](const VectorXd& w) { return loss(w, nullptr); }, at);
  const double error = (analytic - reference).cwiseAbs().maxCoeff() /
                       std::max(reference.cwiseAbs().maxCoeff(), 1e-12);
  std::printf("[ oscillatornet FD ] %-44s relative error %.2e\n", check.c_str(), error);
  EXPECT_LT(error, kTolerance) << check << "\nanalytic:\n"
                               << analytic << "\nfinite difference:\n"
                               << reference;
}

VectorXd positive_weights(const OscillatorNet& net, std::uint64_t index) {
  return random_matrix(net.num_parameters(), 1, index, 0.5, 2.0);
}

TEST(OscillatorNet, StepMatricesOfTheCoupledChain) {
  // Equation 14's matrix for two masses, with dt = 0.1.
  OscillatorNet net(2, OscillatorWeights::canonical, 0.1);
  VectorXd w(6);
  w << 1.5, 0.9, 0.5, 0.3, 14.0, 35.0;
  MatrixXd A;
  VectorXd c;
  net.step_matrices(w, A, c);
  EXPECT_NEAR(A(0, 0), 0.01 * (14.0 + 35.0) / 1.5, 1e-15);
  EXPECT_NEAR(A(0, 1), -0.01 * 35.0 / 1.5, 1e-15);
  EXPECT_NEAR(A(1, 0), -0.01 * 35.0 / 0.9, 1e-15);
  EXPECT_NEAR(A(1, 1), 0.01 * 35.0 / 0.9, 1e-15);
  EXPECT_NEAR(c(0), 0.1 * 0.5 / 1.5, 1e-15);
  EXPECT_NEAR(c(1), 0.1 * 0.3 / 0.9, 1e-15);
  // The combined weights U describe the same step (equations 20 to 24).
  OscillatorNet combined(2, OscillatorWeights::combined, 0.1);
  const VectorXd u = combined.weights_from_constants(w.head(2), w.segment(2, 2), w.tail(2));
  MatrixXd Au;
  VectorXd cu;
  combined.step_matrices(u, Au, cu);
  EXPECT_LT((Au - A).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_LT((cu - c).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(OscillatorNet, LossGradientsMatchFiniteDifferences) {
  struct Case {
    int n;
    OscillatorWeights weights;
  };
  const Case cases[] = {{1, OscillatorWeights::canonical},  {2, OscillatorWeights::canonical},
                        {4, OscillatorWeights::canonical},  {1, OscillatorWeights::one_filter},
                        {3, OscillatorWeights::one_filter}, {2, OscillatorWeights::combined}};
  std::uint64_t index = 0;
  for (const auto& c : cases) {
    OscillatorNet net(c.n, c.weights, 0.3);
    const MatrixXd X = random_matrix(c.n, 12, ++index);
    const VectorXd w = positive_weights(net, ++index);
    expect_gradient(
        "loss, " + to_string(c.weights) + ", " + std::to_string(c.n) + " masses",
        [&](const VectorXd& p, VectorXd* g) { return net.loss(p, X, g, 0.7); }, w);
  }
}

TEST(OscillatorNet, MappingCoefficientGradients) {
  for (auto weights :
       {OscillatorWeights::canonical, OscillatorWeights::one_filter, OscillatorWeights::combined}) {
    OscillatorNet net(2, weights, 0.2);
    const VectorXd w = positive_weights(net, 40 + static_cast<int>(weights));
    const double ga = 0.3, gb = -1.1, gg = 0.7;
    expect_gradient(
        "mapping coefficients, " + to_string(weights),
        [&](const VectorXd& p, VectorXd* g) {
          const MappingCoefficients mc = net.mapping_coefficients(p);
          if (g) net.mapping_coefficients_vjp(p, {ga, gb, gg}, *g);
          return ga * mc.alpha + gb * mc.beta + gg * mc.gamma;
        },
        w);
  }
}

TEST(OscillatorNet, CombinedMappingIsEquationNineteen) {
  OscillatorNet canonical(2, OscillatorWeights::canonical, 0.0667);
  OscillatorNet combined(2, OscillatorWeights::combined, 0.0667);
  VectorXd w(6);
  w << 1.5, 0.9, 0.5, 0.3, 14.0, 35.0;
  const auto a = canonical.mapping_coefficients(w);
  const auto b = combined.mapping_coefficients(
      combined.weights_from_constants(w.head(2), w.segment(2, 2), w.tail(2)));
  EXPECT_NEAR(a.alpha, 1.5 / (35.0 * 0.0667 * 0.0667), 1e-12);
  EXPECT_NEAR(a.beta, 0.5 / (35.0 * 0.0667), 1e-12);
  EXPECT_NEAR(a.gamma, 49.0 / 35.0, 1e-14);
  EXPECT_NEAR(b.alpha, a.alpha, 1e-10);
  EXPECT_NEAR(b.beta, a.beta, 1e-12);
  EXPECT_NEAR(b.gamma, a.gamma, 1e-14);
}

TEST(OscillatorNetMapping, BackwardStencilsOfTableFour) {
  const VectorXd d1 = backward_stencil(1, 2), d2 = backward_stencil(2, 2);
  ASSERT_EQ(d1.size(), 3);
  ASSERT_EQ(d2.size(), 4);
  EXPECT_NEAR(d1(0), 0.5, 1e-14);
  EXPECT_NEAR(d1(1), -2.0, 1e-14);
  EXPECT_NEAR(d1(2), 1.5, 1e-14);
  EXPECT_NEAR(d2(0), -1.0, 1e-14);
  EXPECT_NEAR(d2(1), 4.0, 1e-14);
  EXPECT_NEAR(d2(2), -5.0, 1e-14);
  EXPECT_NEAR(d2(3), 2.0, 1e-14);
  // Order p is exact on polynomials of degree p + derivative: x = t^q at t = 0
  // seen from the nodes -(n-1)..0.
  for (int p = 1; p <= 6; ++p) {
    for (int d = 1; d <= 2; ++d) {
      const VectorXd s = backward_stencil(d, p);
      for (int q = 0; q <= p + d - 1; ++q) {
        double sum = 0.0;
        for (Index j = 0; j < s.size(); ++j)
          sum += s(j) * std::pow(static_cast<double>(j - (s.size() - 1)), q);
        const double exact = (q == d) ? (d == 1 ? 1.0 : 2.0) : 0.0;
        EXPECT_NEAR(sum, exact, 1e-9) << "derivative " << d << " order " << p << " degree " << q;
      }
    }
  }
}

TEST(OscillatorNetMapping, LossGradientsMatchFiniteDifferences) {
  std::uint64_t index = 100;
  for (auto weights : {OscillatorWeights::canonical, OscillatorWeights::combined}) {
    for (int kernel : {1, 4}) {
      for (auto padding : {MappingPadding::causal, MappingPadding::valid}) {
        OscillatorNet net(2, weights, 0.3);
        MappingOptions options;
        options.stencil_order = 3;
        options.kernel = kernel;
        options.padding = padding;
        OscillatorMapping mapping(net, options);
        VectorXd theta = mapping.initial_parameters(positive_weights(net, ++index));
        // Perturb the kernel away from its initialisation (zeros elsewhere).
        if (kernel > 1)
          theta.tail(theta.size() - net.num_parameters()) +=
              random_matrix(3 * kernel + 1, 1, ++index, -0.3, 0.3);
        const VectorXd x1 = random_matrix(20, 1, ++index);
        expect_gradient(
            "mapping loss, " + to_string(weights) + ", kernel " + std::to_string(kernel) +
                (padding == MappingPadding::causal ? ", causal" : ", valid"),
            [&](const VectorXd& p, VectorXd* g) { return mapping.loss(p, x1, g, 1.3); }, theta);
      }
    }
  }
}

TEST(OscillatorNetMapping, RecoversTheSecondMassOfASmoothTrajectory) {
  // With the true constants, mapping x1 of the exact coupled motion gives x2
  // up to the stencils' truncation error (equation 16); sampled at dt = 0.01
  // from a closed form built on the chain's modes.
  const double dt = 0.01;
  VectorXd w(6);
  w << 1.5, 0.9, 0.0, 0.0, 14.0, 35.0;  // undamped: real normal modes
  OscillatorNet net(2, OscillatorWeights::canonical, dt);
  MatrixXd A;
  VectorXd c;
  net.step_matrices(w, A, c);
  const Eigen::EigenSolver<MatrixXd> modes(A / (dt * dt));
  const Index T = 80;
  VectorXd x1(T), x2(T);
  for (Index t = 0; t < T; ++t) {
    Eigen::Vector2d x = Eigen::Vector2d::Zero();
    for (int j = 0; j < 2; ++j) {
      const double omega = std::sqrt(modes.eigenvalues()(j).real());
      x += modes.eigenvectors().col(j).real() * std::cos(omega * t * dt + j);
    }
    x1(t) = x(0);
    x2(t) = x(1);
  }
  MappingOptions options;
  options.stencil_order = 5;
  OscillatorMapping mapping(net, options);
  const VectorXd mapped = mapping.map(mapping.initial_parameters(w), x1);
  const Index first = mapping.first_mapped();
  EXPECT_EQ(first, 6);
  EXPECT_TRUE(std::isnan(mapped(first - 1)));
  const double err = (mapped.tail(T - first) - x2.tail(T - first)).cwiseAbs().maxCoeff();
  std::printf("[ oscillatornet ] mapped x2 max error %.2e (amplitude %.2f)\n", err,
              x2.cwiseAbs().maxCoeff());
  EXPECT_LT(err, 1e-4 * x2.cwiseAbs().maxCoeff());
}

TEST(OscillatorNet, NoiseFreeTrajectoryIsReproducedByItsDiscreteWeights) {
  // The step with the exact discrete coefficients of the damped oscillator
  // (characteristic roots exp(lambda dt)) reproduces its samples to round-off.
  const double m = 2.0, b = 1.5, k = 40.0, dt = 0.05;
  const double gamma = b / (2 * m), omega = std::sqrt(k / m - gamma * gamma);
  const Index T = 60;
  MatrixXd X(1, T);
  for (Index t = 0; t < T; ++t) X(0, t) = std::exp(-gamma * t * dt) * std::cos(omega * t * dt);
  const double q = (1.0 - std::exp(-2 * gamma * dt)) / dt;  // b/m of the discretisation
  const double p = (2.0 - 2.0 * std::exp(-gamma * dt) * std::cos(omega * dt) - q * dt) / (dt * dt);
  OscillatorNet net(1, OscillatorWeights::canonical, dt);
  VectorXd w(3);
  w << m, q * m, p * m;
  EXPECT_LT(net.loss(w, X, nullptr), 1e-28);
  VectorXd truth(3);
  truth << m, b, k;
  EXPECT_GT(net.loss(truth, X, nullptr), 1e-10);  // the continuous constants are O(dt) off
  // Any common factor of the weights gives the same step: the scale ambiguity.
  EXPECT_LT(net.loss(3.7 * w, X, nullptr), 1e-28);
}

TEST(OscillatorNet, OneFilterVariantConservesEnergy) {
  // Without the dissipative channel the step is the leapfrog of m x'' = -K x:
  // its discrete energy is invariant, so the amplitude never decays.
  for (int n : {1, 3}) {
    OscillatorNet net(n, OscillatorWeights::one_filter, 0.05);
    VectorXd w(2 * n);
    for (int i = 0; i < n; ++i) {
      w(i) = 1.0 + 0.5 * i;
      w(n + i) = 20.0 + 7.0 * i;
    }
    VectorXd prev = random_matrix(n, 1, 500 + n), x = prev + 0.01 * random_matrix(n, 1, 600 + n);
    const double e0 = net.discrete_energy(w, x, prev);
    double worst = 0.0, peak = 0.0;
    for (int s = 0; s < 20000; ++s) {
      const VectorXd next = net.step(w, x, prev);
      prev = x;
      x = next;
      worst = std::max(worst, std::abs(net.discrete_energy(w, x, prev) - e0));
      if (s >= 19000) peak = std::max(peak, x.cwiseAbs().maxCoeff());
    }
    std::printf(
        "[ oscillatornet ] one filter, %d masses: energy drift %.2e over 20000 steps (E0 = %.3f)\n",
        n, worst / e0, e0);
    EXPECT_LT(worst, 1e-10 * e0);
    EXPECT_GT(peak, 0.1);  // still oscillating with O(1) amplitude
  }
  // The canonical weights with b > 0 dissipate: over t = 10 s the energy
  // falls like exp(-b t / m) = exp(-5).
  OscillatorNet damped(1, OscillatorWeights::canonical, 0.05);
  VectorXd w(3);
  w << 1.0, 0.5, 20.0;
  VectorXd prev = VectorXd::Constant(1, 1.0), x = VectorXd::Constant(1, 0.99);
  const double e0 = damped.discrete_energy(w, x, prev);
  for (int s = 0; s < 200; ++s) {
    const VectorXd next = damped.step(w, x, prev);
    prev = x;
    x = next;
  }
  const double ratio = damped.discrete_energy(w, x, prev) / e0;
  EXPECT_LT(ratio, 2.0 * std::exp(-5.0));
  EXPECT_GT(ratio, 0.25 * std::exp(-5.0));
}

TEST(ResnetBaseline, LossGradientMatchesFiniteDifferences) {
  for (int kernel : {1, 3}) {
    ResnetBaseline net(2, kernel, 5);
    const VectorXd theta = net.initial_parameters(3);
    const MatrixXd X = random_matrix(2, 15, 700 + kernel);
    expect_gradient(
        "resnet baseline, kernel " + std::to_string(kernel),
        [&](const VectorXd& p, VectorXd* g) { return net.loss(p, X, g, 0.9); }, theta);
    // step() is the residual update the loss scores.
    const VectorXd next = net.step(theta, X.leftCols(kernel));
    MatrixXd two = X.leftCols(kernel + 1);
    two.col(kernel) = next;
    EXPECT_LT(net.loss(theta, two, nullptr), 1e-28);
  }
}

TEST(OscillatorNet, BadConfigurationsAreInputErrors) {
  EXPECT_THROW(OscillatorNet(3, OscillatorWeights::combined, 0.1), InputError);
  EXPECT_THROW(OscillatorNet(0, OscillatorWeights::canonical, 0.1), InputError);
  OscillatorNet single(1, OscillatorWeights::canonical, 0.1);
  EXPECT_THROW(OscillatorMapping(single, MappingOptions{}), InputError);
  EXPECT_THROW(parse_oscillator_weights("two_filters"), InputError);
}

}  // namespace
}  // namespace dynlearn::models
