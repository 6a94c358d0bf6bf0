// One-dimensional potentials of the isochronism paper: the harmonic one is
// isochronous, the quartic one is not, and every one conserves v^2/2 + U.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/potential_1d.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

// Every trajectory returns to its start after exactly T = 2 pi / omega and is
// mirrored at T / 2, whatever its amplitude (to 1e-8; solver rtol 1e-11).
// A wrong omega (e.g. U = omega x^2 / 2, the paper's typo) misses by O(1).
TEST(Potential1d, HarmonicPeriodIsTwoPiOverOmega) {
  Potential1d s;
  read_deck(s, "potential = \"harmonic\"\nomega = 1.7\nsigma = 2.0\n");
  const double T = 2 * std::numbers::pi / 1.7;
  Eigen::VectorXd t(3);
  t << 0.0, T / 2, T;
  double err = 0;
  for (std::uint64_t i = 0; i < 10; ++i) {
    const auto traj = s.simulate(t, {1, i});
    err = std::max(err, (traj.x.col(2) - traj.x.col(0)).cwiseAbs().maxCoeff());
    err = std::max(err, (traj.x.col(1) + traj.x.col(0)).cwiseAbs().maxCoeff());
  }
  EXPECT_LT(err, 1e-8);
  RecordProperty("period_error", sci(err));
}

// U = x^4/4 from rest at amplitude A: E = A^4/4 and
// T = 4 int_0^A dx / sqrt(2 (E - U)) = (4 sqrt(2) / A) int_0^1 du / sqrt(1 - u^4)
//   = sqrt(2) Gamma(1/4)^2 / (sqrt(2 pi) A) = 7.416298709... / A.
// x(T) = A, v(T) = 0 and x(T/2) = -A to 1e-8 for two amplitudes (so the
// period ratio is the inverse amplitude ratio to ~1e-8); the harmonic period
// 2 pi instead leaves the A = 1 trajectory O(0.1) away from its start.
TEST(Potential1d, QuarticPeriodIsInverseToAmplitude) {
  Potential1d s;
  read_deck(s, "potential = \"quartic\"\n");
  const double c =
      std::sqrt(2.0) * std::pow(std::tgamma(0.25), 2) / std::sqrt(2 * std::numbers::pi);
  EXPECT_NEAR(c, 7.4162987092054876, 1e-12);
  double err = 0;
  for (double A : {0.5, 2.0}) {
    const double T = c / A;
    Eigen::VectorXd t(3);
    t << 0.0, T / 2, T;
    const Eigen::MatrixXd x = s.integrate(Eigen::Vector2d(A, 0.0), t);
    err = std::max({err, std::abs(x(0, 2) - A) / A, std::abs(x(1, 2)) / (A * A),
                    std::abs(x(0, 1) + A) / A, std::abs(x(1, 1)) / (A * A)});
  }
  EXPECT_LT(err, 1e-8);
  Eigen::VectorXd t(2);
  t << 0.0, 2 * std::numbers::pi;
  EXPECT_GT(std::abs(s.integrate(Eigen::Vector2d(1.0, 0.0), t)(0, 1) - 1.0), 0.1);
  RecordProperty("relative_period_error", sci(err));
}

// E = v^2/2 + U(x) conserved to 1e-9 relative over t in [0, 20] for every
// potential: this also checks that each force is -U' of its potential (a
// wrong sign or factor breaks conservation at O(1)).
TEST(Potential1d, ConservesEnergyForEveryPotential) {
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(41, 0.0, 20.0);
  for (std::string p : {"harmonic", "quartic", "harmonic_quartic", "pendulum"}) {
    Potential1d s;
    read_deck(s, "potential = \"" + p + "\"\nomega = 1.3\neps = 0.5\n");
    double err = 0;
    for (std::uint64_t i = 0; i < 5; ++i) {
      err = std::max(err, energy_drift(s, s.simulate(t, {3, i}).x));
    }
    EXPECT_LT(err, 1e-9) << p;
    RecordProperty("energy_error_" + p, sci(err));
    // Force is -U': central difference of U to ~1e-9.
    for (double x : {-1.3, 0.4, 2.1}) {
      const double h = 1e-5;
      EXPECT_NEAR(s.force(x), -(s.potential_value(x + h) - s.potential_value(x - h)) / (2 * h),
                  1e-8)
          << p;
    }
  }
}

TEST(Potential1d, InitialStatesAreStandardNormal) {
  Potential1d s;
  read_deck(s, "");
  double m = 0, v = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector2d x = s.initial_state({9, std::uint64_t(i)});
    m += x.sum();
    v += x.squaredNorm();
  }
  m /= 2 * n;
  v /= 2 * n;
  EXPECT_NEAR(m, 0.0, 0.05);  // 4 standard errors of the mean (1/sqrt(8000))
  EXPECT_NEAR(v, 1.0, 0.07);  // 4 standard errors of the variance (sqrt(2/8000))
}

// The example deck inputs/data/potential_1d.toml names only declared keys with valid
// values and simulates a training-length trajectory.
TEST(Potential1d, ExampleDeckReadsAndSimulates) {
  simulate_example_deck("potential_1d",
                        Eigen::VectorXd::LinSpaced(10, 0.0, 9 * 0.3141592653589793));
}
