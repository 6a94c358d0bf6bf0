// The learned rebound module (SRNN section 6): bilinear image cues, the
// module's VJP against central differences, and the gradient of the
// H-NET + rebound window loss (augmented leapfrog, γ penalty) against
// central differences for x0 and a sample of the parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "../integrate/rollout_fd.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/models/hnet.hpp"
#include "dynlearn/models/rebound.hpp"
#include "dynlearn/systems/heavy_billiard.hpp"

namespace dynlearn::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using integrate::testing::max_relative_error;
using integrate::testing::uniform_matrix;

ReboundImage billiard_image() {
  systems::HeavyBilliard billiard;
  billiard.prepare(1);
  return rebound_image(billiard.constants());
}

TEST(ReboundImage, BilinearBetweenPixelCentres) {
  const ReboundImage image = billiard_image();
  const double px = image.pixel_size();
  double dx = 0, dy = 0;
  // Middle of the free space: no wall, flat.
  EXPECT_DOUBLE_EQ(image.sample(0.5, 0.5, dx, dy), 0.0);
  EXPECT_DOUBLE_EQ(dx, 0.0);
  // On the left wall's inner edge (x = 0) the centres of the last wall pixel
  // and the first free one are half a pixel away: half wall, slope -1/px.
  EXPECT_NEAR(image.sample(0.0, 0.5, dx, dy), 0.5, 1e-12);
  EXPECT_NEAR(dx, -1.0 / px, 1e-9);
  EXPECT_NEAR(dy, 0.0, 1e-12);
  // Top wall: the value grows with y.
  EXPECT_NEAR(image.sample(0.5, 1.0, dx, dy), 0.5, 1e-12);
  EXPECT_NEAR(dy, 1.0 / px, 1e-9);
  // Outside the image counts as wall.
  EXPECT_DOUBLE_EQ(image.sample(5.0, 0.5, dx, dy), 1.0);
}

TEST(ReboundImage, BlurSpreadsTheWallEdgeSymmetrically) {
  const ReboundImage image = billiard_image();
  const double px = image.pixel_size();
  EXPECT_EQ(image.blurred(0).pixels, image.pixels);
  const ReboundImage soft = image.blurred(2);  // a triangle of half-width 4 px
  EXPECT_GE(soft.pixels.minCoeff(), 0.0);
  EXPECT_LE(soft.pixels.maxCoeff(), 1.0);
  double dx = 0, dy = 0;
  // A straight wall edge stays at one half, with a gentler slope than 1/px.
  EXPECT_NEAR(soft.sample(0.0, 0.5, dx, dy), 0.5, 1e-12);
  EXPECT_LT(-dx, 1.0 / px);
  EXPECT_GT(-dx, 0.0);
  // The wall is felt 2 px inside the free space, no longer 6 px inside.
  EXPECT_GT(soft.sample(2 * px, 0.5, dx, dy), 0.0);
  EXPECT_DOUBLE_EQ(image.sample(2 * px, 0.5, dx, dy), 0.0);
  EXPECT_DOUBLE_EQ(soft.sample(6 * px, 0.5, dx, dy), 0.0);
}

TEST(ReboundImage, SystemWithoutImageIsAnInputError) {
  EXPECT_THROW(rebound_image({}), InputError);
}

TEST(Rebound, DeckErrorsNameTheKeyAndTheFix) {
  systems::HeavyBilliard billiard;
  billiard.prepare(1);
  io::ModelConfig config;
  config.rebound = true;
  HNet planar(2, {4});
  const auto message = [&](integrate::VectorField& field, const std::string& integrator,
                           int substeps, const std::vector<systems::NamedArray>& constants) {
    try {
      make_rebound_model(field, config, constants, integrator, substeps, 1);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(planar, "rk4", 1, billiard.constants()).find("integrator = \"leapfrog\""),
            std::string::npos);
  EXPECT_NE(message(planar, "leapfrog", 2, billiard.constants()).find("substeps = 1"),
            std::string::npos);
  EXPECT_NE(message(planar, "leapfrog", 1, {}).find("rebound = false"), std::string::npos);
  HNet chain(3, {4});
  EXPECT_NE(message(chain, "leapfrog", 1, billiard.constants()).find("planar"), std::string::npos);
  EXPECT_EQ(message(planar, "leapfrog", 1, billiard.constants()), "no error");
}

/// Positions near the walls so that the cues vary: q inside, q̃ across.
void near_walls(MatrixXd& q, MatrixXd& qt, std::uint64_t seed) {
  const Index batch = 6;
  q = uniform_matrix(2, batch, seed, 0.02, 0.98);
  qt = q;
  const MatrixXd step = uniform_matrix(2, batch, seed + 1, -0.08, 0.08);
  for (Index b = 0; b < batch; ++b) {
    // Push alternately past the left, right, bottom and top walls.
    const int wall = static_cast<int>(b % 4);
    const int axis = wall / 2;
    q(axis, b) = wall % 2 == 0 ? 0.03 + 0.01 * b : 0.97 - 0.01 * b;
    qt.col(b) = q.col(b) + step.col(b);
    qt(axis, b) = wall % 2 == 0 ? -0.04 : 1.05;
  }
}

TEST(Rebound, VjpMatchesFiniteDifferences) {
  ReboundOptions options;
  options.stride = 2.5;
  options.cue_gradient = true;
  Rebound rebound(billiard_image(), options);
  rebound.initialize(3);
  MatrixXd q, qt;
  near_walls(q, qt, 40);
  const Index batch = q.cols();
  const MatrixXd wn = uniform_matrix(2, batch, 50), wa = uniform_matrix(1, batch, 51),
                 wp = uniform_matrix(1, batch, 52);
  auto tape = rebound.make_tape();
  MatrixXd n(2, batch), alpha(1, batch), penalty(1, batch);
  const auto loss = [&](const MatrixXd& a, const MatrixXd& b) {
    rebound.evaluate(a, b, n, alpha, penalty, *tape);
    return (wn.array() * n.array()).sum() + (wa.array() * alpha.array()).sum() +
           (wp.array() * penalty.array()).sum();
  };
  loss(q, qt);
  EXPECT_TRUE((alpha.array() >= 0).all() && (alpha.array() <= 1).all());
  EXPECT_TRUE((penalty.array() > 0).all() && (penalty.array() < 1).all());
  // |n| = γ ≤ 1.
  EXPECT_TRUE((n.colwise().norm().array() <= 1.0).all());
  MatrixXd gq(2, batch), gqt(2, batch);
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(rebound.num_parameters());
  rebound.vjp(wn, wa, wp, gq, gqt, grad, *tape);
  // The cues must give the positions a gradient (walls in view).
  EXPECT_GT(gq.cwiseAbs().maxCoeff() + gqt.cwiseAbs().maxCoeff(), 0.0);

  const double h = 1e-7;
  MatrixXd ref_q(2, batch), ref_qt(2, batch);
  for (Index i = 0; i < q.size(); ++i) {
    MatrixXd a = q, b = qt;
    a(i) += h;
    const double plus = loss(a, qt);
    a(i) -= 2 * h;
    ref_q(i) = (plus - loss(a, qt)) / (2 * h);
    b(i) += h;
    const double plus_t = loss(q, b);
    b(i) -= 2 * h;
    ref_qt(i) = (plus_t - loss(q, b)) / (2 * h);
  }
  const Eigen::VectorXd theta = rebound.parameters();
  double worst = 0.0;
  // Every parameter of the small networks, a spread sample of the trunk's.
  for (Index i = 0; i < theta.size(); i += (i < 2 * 100 * 128 ? 101 : 1)) {
    Eigen::VectorXd t = theta;
    t(i) += h;
    rebound.set_parameters(t);
    const double plus = loss(q, qt);
    t(i) -= 2 * h;
    rebound.set_parameters(t);
    const double reference = (plus - loss(q, qt)) / (2 * h);
    worst =
        std::max(worst, std::abs(grad(i) - reference) / std::max(grad.cwiseAbs().maxCoeff(), 1e-3));
  }
  rebound.set_parameters(theta);
  const double eq = max_relative_error(gq, ref_q), eqt = max_relative_error(gqt, ref_qt);
  std::printf("[ rebound FD ] dL/dq %.2e  dL/dq~ %.2e  dL/dtheta %.2e\n", eq, eqt, worst);
  EXPECT_LT(eq, 1e-5);
  EXPECT_LT(eqt, 1e-5);
  EXPECT_LT(worst, 1e-6);
}

TEST(Rebound, FixedAlphaIsConstantAndItsHeadGetsNoGradient) {
  ReboundOptions options;
  options.fixed_alpha = 0.5;
  Rebound rebound(billiard_image(), options);
  rebound.initialize(3);
  MatrixXd q, qt;
  near_walls(q, qt, 40);
  const Index batch = q.cols();
  auto tape = rebound.make_tape();
  MatrixXd n(2, batch), alpha(1, batch), penalty(1, batch);
  rebound.evaluate(q, qt, n, alpha, penalty, *tape);
  EXPECT_TRUE((alpha.array() == 0.5).all());
  MatrixXd gq(2, batch), gqt(2, batch);
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(rebound.num_parameters());
  rebound.vjp(uniform_matrix(2, batch, 50), uniform_matrix(1, batch, 51),
              uniform_matrix(1, batch, 52), gq, gqt, grad, *tape);
  // Layout [trunk; head_n; head_alpha; net_gamma]: head_alpha (128 -> 32 -> 1) precedes net_gamma
  // (4 -> 16 -> 16 -> 1).
  const Index gamma_size = (4 * 16 + 16) + (16 * 16 + 16) + (16 + 1);
  const Index alpha_size = (128 * 32 + 32) + (32 + 1);
  EXPECT_EQ(grad.segment(grad.size() - gamma_size - alpha_size, alpha_size).cwiseAbs().maxCoeff(),
            0.0);
  EXPECT_GT(grad.tail(gamma_size).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Rebound, WindowLossGradientMatchesFiniteDifferences) {
  HNet hnet(2, {8});
  hnet.initialize(5);
  ReboundOptions options;
  options.stride = 3.0;
  options.cue_gradient = true;
  auto rebound = std::make_unique<Rebound>(billiard_image(), options);
  rebound->initialize(5);
  ReboundIntegratedField model(hnet, std::move(rebound), 0.05);
  // Billiards heading into the walls within the window.
  MatrixXd x0(4, 4);
  x0 << 0.1, 0.9, 0.5, 0.3,  //
      0.5, 0.4, 0.08, 0.92,  //
      -2.0, 2.5, 0.3, -1.0,  //
      0.4, -0.2, -2.2, 2.4;
  std::vector<MatrixXd> targets;
  for (int k = 1; k <= 3; ++k) targets.push_back(uniform_matrix(4, 4, 60 + k, 0.0, 1.0));
  const double dt = 0.1;
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(model.num_parameters());
  const WindowLoss l = model.loss(x0, targets, dt, grad, true);
  EXPECT_GT(l.sum_squares, 0.0);
  Eigen::VectorXd none;
  const auto value = [&](const MatrixXd& x) {
    return model.loss(x, targets, dt, none, false).sum_squares;
  };
  const double h = 1e-7;
  MatrixXd ref(4, 4);
  for (Index i = 0; i < x0.size(); ++i) {
    MatrixXd x = x0;
    x(i) += h;
    const double plus = value(x);
    x(i) -= 2 * h;
    ref(i) = (plus - value(x)) / (2 * h);
  }
  const Eigen::VectorXd theta = model.parameters();
  double worst = 0.0;
  for (Index i = 0; i < theta.size(); i += (i < hnet.num_parameters() ? 1 : 53)) {
    Eigen::VectorXd t = theta;
    t(i) += h;
    model.set_parameters(t);
    const double plus = value(x0);
    t(i) -= 2 * h;
    model.set_parameters(t);
    const double reference = (plus - value(x0)) / (2 * h);
    worst =
        std::max(worst, std::abs(grad(i) - reference) / std::max(grad.cwiseAbs().maxCoeff(), 1e-3));
  }
  model.set_parameters(theta);
  const double ex = max_relative_error(l.x0_gradient, ref);
  std::printf("[ rebound window FD ] dL/dx0 %.2e  dL/dtheta %.2e\n", ex, worst);
  EXPECT_LT(ex, 1e-5);
  EXPECT_LT(worst, 1e-5);
}

}  // namespace
}  // namespace dynlearn::models
