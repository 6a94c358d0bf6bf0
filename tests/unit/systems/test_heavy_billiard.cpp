// SRNN heavy billiard (section 6, appendix A.3): exact event-driven rebounds.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/heavy_billiard.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

namespace {

void expect_state(const Eigen::Vector4d& got, double x, double y, double px, double py) {
  EXPECT_NEAR(got(0), x, 1e-12);
  EXPECT_NEAR(got(1), y, 1e-12);
  EXPECT_NEAR(got(2), px, 1e-12);
  EXPECT_NEAR(got(3), py, 1e-12);
}

}  // namespace

TEST(HeavyBilliard, GeometryAndImageFollowAppendixA3) {
  HeavyBilliard s;
  read_deck(s, "");
  EXPECT_DOUBLE_EQ(s.pixel_size(), 1.0 / 104);
  EXPECT_DOUBLE_EQ(s.lower(), 1.5 / 104);
  EXPECT_DOUBLE_EQ(s.upper(), 1.0 - 1.5 / 104);
  const auto c = s.constants();
  ASSERT_EQ(c[0].name, "walls");
  const Eigen::MatrixXd& img = c[0].value;
  ASSERT_EQ(img.rows(), 128);
  ASSERT_EQ(img.cols(), 128);
  EXPECT_EQ(img.sum(), 128.0 * 128 - 104.0 * 104);  // 12-px walls on all four sides
  EXPECT_EQ(img(11, 64), 1.0);
  EXPECT_EQ(img(12, 64), 0.0);
  EXPECT_EQ(img(115, 115), 0.0);
  EXPECT_EQ(img(116, 64), 1.0);
  EXPECT_EQ(img(64, 116), 1.0);
  HeavyBilliard bad;
  EXPECT_THROW(read_deck(bad, "wall_px = 64\n"), dynlearn::InputError);
}

// Hand-computed rebounds in a unit box with a point billiard (billiard_px = 0,
// so the centre reaches the walls at 0 and 1), to 1e-12 (roundoff only: the
// hit time is exact, no time step is involved).
TEST(HeavyBilliard, ReboundIsExact) {
  HeavyBilliard s;
  read_deck(s, "billiard_px = 0\ngravity = [0.0, -4.0]\n");
  long n = 0;
  // Side wall x = 1 hit at tau = 0.25 (linear in x); 0.25 later x = 0.5.
  // y is the free parabola: 0.5 - 2 t^2 at t = 0.5, py = -4 t.
  expect_state(s.advance({0.5, 0.5, 2.0, 0.0}, 0.5, &n), 0.5, 0.5 - 2.0 * 0.25, -2.0, -2.0);
  EXPECT_EQ(n, 1);
  // Floor hit from rest at y = 0.5: tau = sqrt(2 * 0.5 / 4) = 0.5, speed 2,
  // reflected upwards; 0.1 later y = 2 (0.1) - 2 (0.1)^2 = 0.18, py = 1.6.
  n = 0;
  expect_state(s.advance({0.3, 0.5, 0.0, 0.0}, 0.6, &n), 0.3, 0.18, 0.0, 1.6);
  EXPECT_EQ(n, 1);
  // Ceiling hit on the way up: y = 0.5 + 3 t - 2 t^2 = 1 at t = (3 - sqrt(5)) / 4.
  n = 0;
  const double th = (3.0 - std::sqrt(5.0)) / 4.0, vh = 3.0 - 4.0 * th;
  const double dt = 0.3 - th;
  expect_state(s.advance({0.5, 0.5, 0.0, 3.0}, 0.3, &n), 0.5, 1.0 - vh * dt - 2.0 * dt * dt, 0.0,
               -vh - 4.0 * dt);
  EXPECT_EQ(n, 1);
}

TEST(HeavyBilliard, CornerReflectsBothComponents) {
  HeavyBilliard s;
  read_deck(s, "billiard_px = 0\ngravity = [0.0, 0.0]\n");
  long n = 0;
  expect_state(s.advance({0.5, 0.5, 1.0, 1.0}, 0.75, &n), 0.75, 0.75, -1.0, -1.0);
  EXPECT_EQ(n, 2);
}

// Energy is conserved to roundoff (1e-12 relative) over hundreds of rebounds:
// a rebound that reversed the wrong component, applied a time-stepped
// parabola, or missed a hit time by even 1e-6 would fail. The billiard never
// leaves [lo, hi]^2, checked at 1000 samples per trajectory.
TEST(HeavyBilliard, ConservesEnergyAndStaysInTheBox) {
  HeavyBilliard s;
  read_deck(s, "");
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(1001, 0.0, 100.0);
  double err = 0;
  long rebounds = 0;
  for (std::uint64_t i = 0; i < 8; ++i) {
    const auto traj = s.simulate(t, {2, i});
    err = std::max(err, energy_drift(s, traj.x));
    for (Eigen::Index k = 0; k < t.size(); ++k) {
      EXPECT_GE(traj.x(0, k), s.lower());
      EXPECT_LE(traj.x(0, k), s.upper());
      EXPECT_GE(traj.x(1, k), s.lower());
      EXPECT_LE(traj.x(1, k), s.upper());
    }
    Eigen::Vector4d x = traj.x.col(0);
    x = s.advance(x, 100.0, &rebounds);
    // One call over 100 s equals 1000 sample intervals (to roundoff growth).
    EXPECT_LT((x - Eigen::Vector4d(traj.x.col(1000))).cwiseAbs().maxCoeff(), 1e-6);
  }
  EXPECT_GT(rebounds, 8 * 200);
  EXPECT_LT(err, 1e-12);
  RecordProperty("energy_error", sci(err));
  RecordProperty("rebounds", std::to_string(rebounds));
}

// The defaults give several rebounds in a length-10 trajectory at dt = 0.1
// (t in [0, 0.9]), which the rebound module of SRNN needs to learn from.
TEST(HeavyBilliard, DefaultsGiveSeveralReboundsPerTrainingTrajectory) {
  HeavyBilliard s;
  read_deck(s, "");
  long rebounds = 0;
  const int n = 200;
  for (int i = 0; i < n; ++i) s.advance(s.initial_state({1, std::uint64_t(i)}), 0.9, &rebounds);
  const double mean = double(rebounds) / n;
  EXPECT_GT(mean, 2.0);
  EXPECT_LT(mean, 6.0);
  RecordProperty("mean_rebounds_per_training_trajectory", sci(mean));
}

// The example deck inputs/data/heavy_billiard.toml names only declared keys with valid
// values and simulates a training-length trajectory.
TEST(HeavyBilliard, ExampleDeckReadsAndSimulates) {
  simulate_example_deck("heavy_billiard", Eigen::VectorXd::LinSpaced(10, 0.0, 9 * 0.1));
}
