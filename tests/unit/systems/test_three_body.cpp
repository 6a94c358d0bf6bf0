// SRNN three-body system (section 5, A.2; Greydanus et al.'s configuration).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dynlearn/systems/three_body.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

// The recipe: an equilateral triangle centred on the origin, radius in
// [0.9, 1.2], velocities perpendicular to the radius within +-nu of circular.
TEST(ThreeBody, InitialStateFollowsGreydanusRecipe) {
  ThreeBody s;
  read_deck(s, "");
  for (std::uint64_t i = 0; i < 20; ++i) {
    const Eigen::VectorXd x = s.initial_state({5, i});
    const double r = x.segment<2>(0).norm();
    EXPECT_GE(r, 0.9);
    EXPECT_LE(r, 1.2);
    EXPECT_NEAR(x.segment<2>(2).norm(), r, 1e-14);
    EXPECT_NEAR((x.segment<2>(0) + x.segment<2>(2) + x.segment<2>(4)).norm(), 0.0, 1e-14);
    EXPECT_NEAR(x.segment<2>(0).dot(x.segment<2>(2)), r * r * std::cos(2 * std::numbers::pi / 3),
                1e-14);
    const double vc = std::sqrt(1.0 / (std::sqrt(3.0) * r));
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 2; ++c) {
        // Each component is the circular one times a factor in [0.8, 1.2].
        const Eigen::Vector2d q = x.segment<2>(2 * b);
        const Eigen::Vector2d vcirc = Eigen::Vector2d(-q(1), q(0)) * (vc / r);
        if (std::abs(vcirc(c)) > 1e-3) {
          const double factor = x(6 + 2 * b + c) / vcirc(c);
          EXPECT_GE(factor, 0.8 - 1e-12);
          EXPECT_LE(factor, 1.2 + 1e-12);
        }
      }
  }
}

// With nu = 0 the orbit is exactly circular: every body stays at radius r
// (to 1e-8 over t in [0, 10], more than one revolution). A wrong circular
// speed (e.g. Greydanus's factor omitted, v = 1/sqrt(r)) gives an ellipse whose
// radius changes by O(10%).
TEST(ThreeBody, UnperturbedOrbitIsCircular) {
  ThreeBody s;
  read_deck(s, "nu = 0.0\n");
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(41, 0.0, 10.0);
  const auto traj = s.simulate(t, {5, 3});
  const double r = traj.x.col(0).segment<2>(0).norm();
  double err = 0;
  for (Eigen::Index k = 0; k < t.size(); ++k)
    for (int b = 0; b < 3; ++b)
      err = std::max(err, std::abs(traj.x.col(k).segment<2>(2 * b).norm() - r));
  EXPECT_LT(err, 1e-8);
  RecordProperty("radius_error", sci(err));
}

// Energy and total momentum are invariants of the exact flow; at rtol 1e-11
// the solver keeps them to ~1e-10 relative, so 1e-7 over t in [0, 10] holds
// for every trajectory while a sign error in a force breaks both at O(1).
// Momentum error is relative to sum |p_i| (the total is often near zero).
TEST(ThreeBody, ConservesEnergyAndMomentum) {
  ThreeBody s;
  read_deck(s, "");
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(11, 0.0, 10.0);
  double e_err = 0, p_err = 0;
  for (std::uint64_t i = 0; i < 8; ++i) {
    const auto traj = s.simulate(t, {1, i});
    e_err = std::max(e_err, energy_drift(s, traj.x));
    Eigen::Vector2d p0 = Eigen::Vector2d::Zero();
    double scale = 0;
    for (int b = 0; b < 3; ++b) {
      p0 += traj.x.col(0).segment<2>(6 + 2 * b);
      scale += traj.x.col(0).segment<2>(6 + 2 * b).norm();
    }
    for (Eigen::Index k = 0; k < t.size(); ++k) {
      Eigen::Vector2d p = Eigen::Vector2d::Zero();
      for (int b = 0; b < 3; ++b) p += traj.x.col(k).segment<2>(6 + 2 * b);
      p_err = std::max(p_err, (p - p0).norm() / scale);
    }
  }
  EXPECT_LT(e_err, 1e-7);
  EXPECT_LT(p_err, 1e-7);
  RecordProperty("energy_error", sci(e_err));
  RecordProperty("momentum_error", sci(p_err));
}

// The example deck inputs/data/three_body.toml names only declared keys with valid
// values and simulates a training-length trajectory.
TEST(ThreeBody, ExampleDeckReadsAndSimulates) {
  simulate_example_deck("three_body", Eigen::VectorXd::LinSpaced(10, 0.0, 9 * 1.0));
}
