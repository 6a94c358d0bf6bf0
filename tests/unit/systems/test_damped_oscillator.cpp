// Damped harmonic oscillator (OscillatorNet section 3.1) against its closed-form
// underdamped solution.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/damped_oscillator.hpp"
#include "dynlearn/systems/registry.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

TEST(DampedOscillator, DefaultsAreTable1) {
  auto s = make_system("damped_oscillator");
  auto& d = dynamic_cast<DampedOscillator&>(*s);
  EXPECT_EQ(d.m, 2.0);
  EXPECT_EQ(d.b, 1.5);
  EXPECT_EQ(d.k, 40.0);
}

// x(t) = e^{-g t} (x0 cos(w t) + (v0 + g x0) / w sin(w t)), g = b / 2m,
// w = sqrt(k/m - g^2). Tolerance 1e-7: the solver runs at rtol 1e-10 over ~7
// periods; a wrong sign or factor of the damping term changes x by O(1e-1).
TEST(DampedOscillator, MatchesClosedFormUnderdampedSolution) {
  DampedOscillator d;
  read_deck(d, "x0 = 0.7\nv0 = -1.3\n");
  const double g = d.b / (2 * d.m), w = std::sqrt(d.k / d.m - g * g);
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(101, 0.0, 10.0);
  const auto traj = d.simulate(t, {1, 0});
  double err = 0;
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    const double e = std::exp(-g * t(i)), c = std::cos(w * t(i)), s = std::sin(w * t(i));
    const double A = 0.7, B = (-1.3 + g * 0.7) / w;
    const double x = e * (A * c + B * s);
    const double v = -g * x + e * (-A * w * s + B * w * c);
    err = std::max({err, std::abs(traj.x(0, i) - x), std::abs(traj.x(1, i) - v)});
  }
  EXPECT_LT(err, 1e-7);
  RecordProperty("max_error", sci(err));
}

TEST(DampedOscillator, SpreadIsPerTrajectoryAndReproducible) {
  DampedOscillator d;
  read_deck(d, "x0_std = 0.5\nv0_std = 0.5\n");
  EXPECT_EQ(d.initial_state({3, 5}), d.initial_state({3, 5}));
  EXPECT_NE(d.initial_state({3, 5}), d.initial_state({3, 6}));
}

// The example deck inputs/data/damped_oscillator.toml names only declared keys with valid
// values and simulates a training-length trajectory.
TEST(DampedOscillator, ExampleDeckReadsAndSimulates) {
  simulate_example_deck("damped_oscillator", Eigen::VectorXd::LinSpaced(10, 0.0, 9 * 0.05));
}
