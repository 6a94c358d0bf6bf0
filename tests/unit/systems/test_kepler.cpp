// Kepler problem of the Lagrangian neural ODE paper (eq. 6): orbits close
// after exactly Kepler's period, conserve energy and angular momentum, and
// are drawn from the (p, e) distribution of the keys.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/kepler.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

// Defaults: a_ref = 1 has period horizon / n_periods = 4, so
// GM = 4 pi^2 / 16 = pi^2 / 4.
TEST(Kepler, DefaultGMGivesTheReferencePeriod) {
  Kepler s;
  read_deck(s, "");
  EXPECT_DOUBLE_EQ(s.gm(), std::numbers::pi * std::numbers::pi / 4);
  Kepler s2;
  read_deck(s2, "GM = 2.5\n");
  EXPECT_DOUBLE_EQ(s2.gm(), 2.5);
}

// For several drawn orbits (e up to 0.5): after T = 2 pi a^{3/2} / sqrt(GM),
// a = p / (1 - e^2), the orbit is back at perihelion: r(T) = r(0) and
// phi(T) = 2 pi to 1e-8 (solver rtol 1e-12). Half a period later it is at
// aphelion r = p / (1 - e), phi = pi (checks the orbit shape, not just
// periodicity). A wrong force law (e.g. GM / r) or a wrong period fails by O(1).
TEST(Kepler, OrbitClosesAfterKeplersPeriod) {
  Kepler s;
  read_deck(s, "e_mean = 0.3\ne_std = 0.2\n");
  double err = 0;
  for (std::uint64_t i = 0; i < 6; ++i) {
    const Eigen::Vector2d pe = s.orbit({4, i});
    const double p = pe(0), e = pe(1), a = p / (1 - e * e);
    const double T = 2 * std::numbers::pi * std::pow(a, 1.5) / std::sqrt(s.gm());
    Eigen::VectorXd t(3);
    t << 0.0, T / 2, T;
    const auto traj = s.simulate(t, {4, i});
    EXPECT_EQ(traj.params, pe);
    EXPECT_NEAR(traj.x(0, 0), p / (1 + e), 1e-15);
    err = std::max(err, std::abs(traj.x(0, 2) - traj.x(0, 0)));
    err = std::max(err, std::abs(traj.x(1, 2) - 2 * std::numbers::pi));
    err = std::max(err, std::abs(traj.x(0, 1) - p / (1 - e)));
    err = std::max(err, std::abs(traj.x(1, 1) - std::numbers::pi));
    err = std::max(err, std::abs(traj.x(2, 2)));
  }
  EXPECT_LT(err, 1e-8);
  RecordProperty("closure_error", sci(err));
}

// Energy and angular momentum r^2 phi' are conserved to 1e-9 relative over
// the whole default horizon (two reference periods) at 200 samples, and the
// energy equals the Kepler value -GM / (2a).
TEST(Kepler, ConservesEnergyAndAngularMomentum) {
  Kepler s;
  read_deck(s, "");
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(200, 0.0, 8.0);
  double err_e = 0, err_l = 0, err_a = 0;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const auto traj = s.simulate(t, {9, i});
    const double p = traj.params(0), e = traj.params(1), a = p / (1 - e * e);
    const double e0 = s.energy(traj.x.col(0)), l0 = Kepler::angular_momentum(traj.x.col(0));
    err_a = std::max(err_a, std::abs(e0 + s.gm() / (2 * a)) / std::abs(e0));
    err_e = std::max(err_e, energy_drift(s, traj.x));
    for (Eigen::Index k = 0; k < t.size(); ++k)
      err_l = std::max(err_l, std::abs(Kepler::angular_momentum(traj.x.col(k)) - l0) / l0);
  }
  EXPECT_LT(err_a, 1e-12);
  EXPECT_LT(err_e, 1e-9);
  EXPECT_LT(err_l, 1e-9);
  RecordProperty("energy_drift", sci(err_e));
  RecordProperty("angular_momentum_drift", sci(err_l));
}

// (p, e) per trajectory: e is clipped to [0, e_max] (with e_mean = 0.45 and
// e_std = 0.3 both clips occur), p > 0, and trajectories differ.
TEST(Kepler, OrbitParametersAreClipped) {
  Kepler s;
  read_deck(s, "e_mean = 0.45\ne_std = 0.3\ne_max = 0.6\n");
  int at_zero = 0, at_max = 0;
  for (std::uint64_t i = 0; i < 500; ++i) {
    const Eigen::Vector2d pe = s.orbit({2, i});
    EXPECT_GT(pe(0), 0.0);
    EXPECT_GE(pe(1), 0.0);
    EXPECT_LE(pe(1), 0.6);
    at_zero += pe(1) == 0.0;
    at_max += pe(1) == 0.6;
  }
  EXPECT_GT(at_zero, 0);
  EXPECT_GT(at_max, 0);
  EXPECT_NE(s.orbit({2, 0}), s.orbit({2, 1}));
}

TEST(Kepler, RejectsUnboundOrbits) {
  Kepler s;
  EXPECT_THROW(read_deck(s, "e_max = 1.0\n"), dynlearn::InputError);
  Kepler s2;
  EXPECT_THROW(read_deck(s2, "p_std = 0.5\n"), dynlearn::InputError);
}

// The example deck inputs/data/kepler.toml names only declared keys with
// valid values and simulates a training-length trajectory.
TEST(Kepler, ExampleDeckReadsAndSimulates) {
  const auto [s, traj] = simulate_example_deck("kepler", Eigen::VectorXd::LinSpaced(30, 0.0, 8.0));
  EXPECT_EQ(s->parameter_names().size(), 2u);
  EXPECT_EQ(traj.x.rows(), 4);
  EXPECT_EQ(traj.params.size(), 2);
}
