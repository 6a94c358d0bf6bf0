// Coupled damped oscillators (OscillatorNet section 3.2) against the energy
// balance dE/dt = -sum b_i v_i^2 that follows from equation 13.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/coupled_oscillators.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

TEST(CoupledOscillators, DefaultsAreTable3AndLengthsAreChecked) {
  CoupledOscillators c;
  EXPECT_EQ(c.m, (std::vector<double>{1.5, 0.9}));
  EXPECT_EQ(c.b, (std::vector<double>{0.5, 0.3}));
  EXPECT_EQ(c.k, (std::vector<double>{14.0, 35.0}));
  CoupledOscillators bad;
  EXPECT_THROW(read_deck(bad, "m = [1.0, 2.0, 3.0]\n"), dynlearn::InputError);
}

// E(t1) - E(t0) = -int_t0^t1 sum b_i v_i^2 dt, the integral by composite
// Simpson on a 2001-point grid (quadrature error ~1e-13). Tolerance 1e-8
// relative to E(0); damping on the relative velocity v2 - v1 instead of v2, or
// a spring attached to the wrong mass, breaks the balance at O(1e-2).
TEST(CoupledOscillators, EnergyDissipatesAtRateSumBV2) {
  CoupledOscillators c;
  read_deck(c,
            "m = [1.5, 0.9, 1.2]\nb = [0.5, 0.3, 0.2]\nk = [14.0, 35.0, 20.0]\n"
            "x0 = [1.0, -0.5, 0.3]\nv0 = [0.0, 2.0, -1.0]\n");
  const int n = 2001;
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(n, 0.0, 4.0);
  const auto traj = c.simulate(t, {1, 0});
  const double h = t(1) - t(0);
  double integral = 0;
  for (int i = 0; i < n; ++i) {
    double p = 0;
    for (int j = 0; j < 3; ++j) p += c.b[j] * traj.x(3 + j, i) * traj.x(3 + j, i);
    const double w = (i == 0 || i == n - 1) ? 1 : (i % 2 ? 4 : 2);
    integral += w * p * h / 3;
  }
  const double e0 = c.mechanical_energy(traj.x.col(0));
  const double e1 = c.mechanical_energy(traj.x.col(n - 1));
  const double err = std::abs((e1 - e0) + integral) / e0;
  EXPECT_LT(err, 1e-8);
  EXPECT_GT(e0 - e1, 0.5 * e0);  // the check is not vacuous: most energy is dissipated
  RecordProperty("relative_error", sci(err));
  // The instantaneous rate too: dE/dt = grad E . rhs = -sum b v^2 at t = 0.
  const Eigen::VectorXd x = traj.x.col(0);
  const Eigen::VectorXd dx = c.rhs(x);
  const double eps = 1e-6;
  const double rate =
      (c.mechanical_energy(x + eps * dx) - c.mechanical_energy(x - eps * dx)) / (2 * eps);
  double expected = 0;
  for (int j = 0; j < 3; ++j) expected -= c.b[j] * x(3 + j) * x(3 + j);
  EXPECT_NEAR(rate, expected, 1e-6 * std::abs(expected));
}

// With b = 0 the chain is conservative: E constant to 1e-8 relative over
// ~10 periods of the fastest mode at rtol 1e-10.
TEST(CoupledOscillators, ConservesEnergyWithoutDamping) {
  CoupledOscillators c;
  read_deck(c, "b = [0.0, 0.0]\nv0 = [0.5, -1.0]\n");
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(201, 0.0, 10.0);
  const auto traj = c.simulate(t, {1, 0});
  const double drift = energy_drift(c, traj.x);
  EXPECT_LT(drift, 1e-8);
  RecordProperty("relative_drift", sci(drift));
  CoupledOscillators damped;
  EXPECT_TRUE(std::isnan(damped.energy(traj.x.col(0))));
}

// The example deck inputs/data/coupled_oscillators.toml names only declared keys with valid
// values and simulates a training-length trajectory.
TEST(CoupledOscillators, ExampleDeckReadsAndSimulates) {
  simulate_example_deck("coupled_oscillators", Eigen::VectorXd::LinSpaced(10, 0.0, 9 * 0.05));
}
