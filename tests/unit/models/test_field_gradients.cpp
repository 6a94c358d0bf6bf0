// O-NET and H-NET as vector fields: the field itself (H-NET: (∂H/∂p, -∂H/∂q)
// against finite differences of the energy), and every VJP (full and split
// views, with respect to the state and θ) against central finite differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/hnet.hpp"
#include "dynlearn/models/onet.hpp"

namespace dynlearn::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using integrate::FieldTape;
using integrate::VectorField;

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-6;  // relative max-norm error vs central differences
constexpr Index kHalf = 3;
constexpr Index kBatch = 4;

MatrixXd random_matrix(Index rows, Index cols, std::uint64_t index) {
  core::Rng rng(7, index, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j) {
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(-1.0, 1.0);
  }
  return m;
}

double relative_error(const MatrixXd& analytic, const MatrixXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

void expect_close(const std::string& check, const MatrixXd& analytic, const MatrixXd& reference) {
  ASSERT_EQ(analytic.rows(), reference.rows()) << check;
  ASSERT_EQ(analytic.cols(), reference.cols()) << check;
  const double error = relative_error(analytic, reference);
  std::printf("[ models FD ] %-40s relative error %.2e\n", check.c_str(), error);
  EXPECT_LT(error, kTolerance) << check << "\nanalytic:\n"
                               << analytic << "\nfinite difference:\n"
                               << reference;
}

// Central differences of a scalar function of a matrix, entry by entry.
MatrixXd fd_gradient(const std::function<double(const MatrixXd&)>& loss, const MatrixXd& at) {
  MatrixXd gradient(at.rows(), at.cols());
  MatrixXd x = at;
  for (Index i = 0; i < at.size(); ++i) {
    x(i) = at(i) + kStep;
    const double plus = loss(x);
    x(i) = at(i) - kStep;
    const double minus = loss(x);
    x(i) = at(i);
    gradient(i) = (plus - minus) / (2 * kStep);
  }
  return gradient;
}

// θ-gradient by central differences of loss(field) while perturbing θ.
VectorXd fd_parameter_gradient(VectorField& field, const std::function<double()>& loss) {
  const VectorXd theta = field.parameters();
  const MatrixXd g = fd_gradient(
      [&](const MatrixXd& t) {
        field.set_parameters(t);
        return loss();
      },
      theta);
  field.set_parameters(theta);
  return g;
}

// Checks evaluate's VJP and the default or overridden split-view VJPs of `field`.
void check_field_vjps(const std::string& name, VectorField& field) {
  const Index dim = field.state_dim();
  const Index half = dim / 2;
  const MatrixXd x = random_matrix(dim, kBatch, 1);
  const MatrixXd w = random_matrix(dim, kBatch, 2);
  auto tape = field.make_tape();
  MatrixXd f(dim, kBatch);
  const auto loss_at = [&](const MatrixXd& at) {
    auto scratch = field.make_tape();
    MatrixXd out(dim, kBatch);
    field.evaluate(at, out, *scratch);
    return w.cwiseProduct(out).sum();
  };

  // Full field: d/dx and d/dθ of <W, f(x)>.
  field.evaluate(x, f, *tape);
  MatrixXd x_adjoint(dim, kBatch);
  VectorXd theta_gradient = VectorXd::Zero(field.num_parameters());
  field.vjp(w, x_adjoint, theta_gradient, *tape);
  expect_close(name + " vjp d/dx", x_adjoint, fd_gradient(loss_at, x));
  expect_close(name + " vjp d/dtheta", theta_gradient,
               fd_parameter_gradient(field, [&] { return loss_at(x); }));

  // A second VJP on the same tape adds the same gradient again (tapes may be
  // backpropagated several times, e.g. a shared leapfrog kick).
  VectorXd twice = theta_gradient;
  field.vjp(w, x_adjoint, twice, *tape);
  expect_close(name + " vjp repeated", twice, 2 * theta_gradient);

  // Split view: dq/dt and dp/dt with their VJPs, against the full field.
  const MatrixXd q = x.topRows(half);
  const MatrixXd p = x.bottomRows(half);
  const MatrixXd wh = w.topRows(half);
  for (const bool positions : {true, false}) {
    const std::string part = positions ? " dq" : " dp";
    MatrixXd rate(half, kBatch);
    auto split_tape = field.make_tape();
    if (positions) {
      field.evaluate_dq(q, p, rate, *split_tape);
    } else {
      field.evaluate_dp(q, p, rate, *split_tape);
    }
    const MatrixXd expected = positions ? f.topRows(half) : f.bottomRows(half);
    EXPECT_LT((rate - expected).cwiseAbs().maxCoeff(), 1e-14) << name << part;
    MatrixXd q_adjoint(half, kBatch), p_adjoint(half, kBatch);
    VectorXd split_gradient = VectorXd::Zero(field.num_parameters());
    if (positions) {
      field.vjp_dq(wh, q_adjoint, p_adjoint, split_gradient, *split_tape);
    } else {
      field.vjp_dp(wh, q_adjoint, p_adjoint, split_gradient, *split_tape);
    }
    const auto split_loss = [&](const MatrixXd& at) {
      auto scratch = field.make_tape();
      MatrixXd out(half, kBatch);
      if (positions) {
        field.evaluate_dq(at.topRows(half), at.bottomRows(half), out, *scratch);
      } else {
        field.evaluate_dp(at.topRows(half), at.bottomRows(half), out, *scratch);
      }
      return wh.cwiseProduct(out).sum();
    };
    const MatrixXd reference = fd_gradient(split_loss, x);
    expect_close(name + part + " vjp d/dq", q_adjoint, reference.topRows(half));
    expect_close(name + part + " vjp d/dp", p_adjoint, reference.bottomRows(half));
    expect_close(name + part + " vjp d/dtheta", split_gradient,
                 fd_parameter_gradient(field, [&] { return split_loss(x); }));
  }
}

TEST(ONet, ShapesAndParameters) {
  ONet net(kHalf, {8, 8}, "tanh");
  EXPECT_EQ(net.state_dim(), 2 * kHalf);
  EXPECT_EQ(net.num_parameters(), (6 * 8 + 8) + (8 * 8 + 8) + (8 * 6 + 6));
  EXPECT_FALSE(net.separable());
  net.initialize(3);
  const VectorXd theta = net.parameters();
  EXPECT_GT(theta.cwiseAbs().maxCoeff(), 0.0);
  net.set_parameters(2 * theta);
  EXPECT_EQ(net.parameters(), 2 * theta);
  EXPECT_THROW(net.set_parameters(VectorXd::Zero(3)), InputError);
  EXPECT_THROW(ONet(0, {8}), InputError);
  EXPECT_THROW(ONet(2, {8}, "tanhh"), InputError);
}

TEST(ONet, VjpsMatchFiniteDifferences) {
  for (const char* activation : {"tanh", "softplus"}) {
    ONet net(kHalf, {8, 6}, activation);
    net.initialize(11);
    check_field_vjps(std::string("onet/") + activation, net);
  }
}

TEST(HNet, ShapesAndParameterLayout) {
  HNet net(kHalf, {8, 8}, "tanh");
  const Index scalar = (3 * 8 + 8) + (8 * 8 + 8) + (8 + 1);
  EXPECT_EQ(net.state_dim(), 2 * kHalf);
  EXPECT_EQ(net.num_parameters(), 2 * scalar);
  EXPECT_TRUE(net.separable());
  net.initialize(3);
  // K's parameters first, then V's; distinct streams give distinct networks.
  const VectorXd theta = net.parameters();
  EXPECT_EQ(theta.head(scalar), net.kinetic().parameters());
  EXPECT_EQ(theta.tail(scalar), net.potential().parameters());
  EXPECT_NE(net.kinetic().parameters(), net.potential().parameters());
  VectorXd changed = theta;
  changed[scalar] += 1.0;  // first parameter of V
  net.set_parameters(changed);
  EXPECT_EQ(net.kinetic().parameters(), theta.head(scalar));
  EXPECT_EQ(net.potential().parameters()[0], theta[scalar] + 1.0);
  EXPECT_THROW(HNet(kHalf, {}, "tanh"), InputError);
  EXPECT_THROW(net.set_parameters(VectorXd::Zero(scalar)), InputError);
}

TEST(HNet, FieldIsHamiltonsEquationsOfItsEnergy) {
  HNet net(kHalf, {8, 8}, "softplus");
  net.initialize(5);
  const MatrixXd x = random_matrix(2 * kHalf, kBatch, 3);
  auto tape = net.make_tape();
  MatrixXd f(2 * kHalf, kBatch);
  net.evaluate(x, f, *tape);
  // Column by column: ∂H/∂x by central differences of H.
  MatrixXd dh(2 * kHalf, kBatch);
  for (Index j = 0; j < kBatch; ++j) {
    MatrixXd column = x.col(j);
    dh.col(j) = fd_gradient([&](const MatrixXd& at) { return net.energy(at)(0); }, column);
  }
  MatrixXd expected(2 * kHalf, kBatch);
  expected.topRows(kHalf) = dh.bottomRows(kHalf);   // dq/dt = ∂H/∂p
  expected.bottomRows(kHalf) = -dh.topRows(kHalf);  // dp/dt = -∂H/∂q
  expect_close("hnet field = (dH/dp, -dH/dq)", f, expected);
}

TEST(HNet, VjpsMatchFiniteDifferences) {
  for (const char* activation : {"tanh", "softplus", "sigmoid"}) {
    HNet net(kHalf, {8, 6}, activation);
    net.initialize(13);
    check_field_vjps(std::string("hnet/") + activation, net);
  }
}

}  // namespace
}  // namespace dynlearn::models
