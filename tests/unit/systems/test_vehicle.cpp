// Planar vehicle of the SNet paper (section 5, appendix A): closed-form
// solutions for free motion and for inputs on one channel at a time.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>

#include "dynlearn/systems/vehicle.hpp"

#include "system_test_support.hpp"

using namespace dynlearn::systems;
using namespace dynlearn::systems::testing;

namespace {

// y' = -k y + (e0 + c cos(W t) + d sin(W t)) from y(0) = y0: y(t) and its
// integral from 0 to t.
std::pair<double, double> forced_decay(double k, double e0, double c, double d, double W, double y0,
                                       double t) {
  const double P = (k * c - W * d) / (k * k + W * W), Q = (k * d + W * c) / (k * k + W * W);
  const double h = y0 - (P + e0 / k);
  const double y = P * std::cos(W * t) + Q * std::sin(W * t) + e0 / k + h * std::exp(-k * t);
  const double iy = P * std::sin(W * t) / W + Q * (1 - std::cos(W * t)) / W + e0 * t / k +
                    h * (1 - std::exp(-k * t)) / k;
  return {y, iy};
}

}  // namespace

// u = 0 (input_amplitude = 0), m = 2, kd = 0.7, I = 0.5, random initial state.
// Closed form: omega = omega0 e^{-kd t / I}; phi = phi0 + theta(t) with
// theta = omega0 I / kd (1 - e^{-kd t / I}); the body velocity
// z = vx + i vy = z0 e^{-kd t / m} e^{-i theta(t)} (Coriolis term = frame
// rotation), so the world velocity e^{i phi} z = e^{i phi0} z0 e^{-kd t / m}
// keeps its direction and the path is straight:
// (x + i y)(t) = (x0 + i y0) + e^{i phi0} z0 (m / kd)(1 - e^{-kd t / m}).
// All six states to 1e-8 over 10 s (solver rtol 1e-10). A Coriolis term of
// the wrong sign curves the path and fails by O(0.1).
TEST(Vehicle, FreeMotionMatchesClosedForm) {
  Vehicle s;
  read_deck(s,
            "m = 2.0\nkd = 0.7\ninertia = 0.5\ninput_amplitude = 0.0\npose_std = [1.0, 1.0, "
            "1.0]\nvelocity_std = [1.0, 1.0, 1.5]\n");
  const double m = 2.0, kd = 0.7, I = 0.5;
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(41, 0.0, 10.0);
  double err = 0;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const auto traj = s.simulate(t, {6, i});
    EXPECT_EQ(traj.u.cwiseAbs().maxCoeff(), 0.0);
    const Eigen::VectorXd x0 = traj.x.col(0);
    const std::complex<double> z0(x0(3), x0(4)), p0(x0(0), x0(1));
    const auto e0 = std::polar(1.0, x0(2));
    for (Eigen::Index k = 0; k < t.size(); ++k) {
      const double tk = t(k);
      const double w = x0(5) * std::exp(-kd * tk / I);
      const double theta = x0(5) * I / kd * (1 - std::exp(-kd * tk / I));
      const auto z = z0 * std::exp(-kd * tk / m) * std::polar(1.0, -theta);
      const auto p = p0 + e0 * z0 * (m / kd) * (1 - std::exp(-kd * tk / m));
      Vehicle::State ref;
      ref << p.real(), p.imag(), x0(2) + theta, z.real(), z.imag(), w;
      err = std::max(err, (traj.x.col(k) - ref).cwiseAbs().maxCoeff());
    }
  }
  EXPECT_LT(err, 1e-8);
  RecordProperty("free_motion_error", sci(err));
}

// Input on Fx only: Fx = 0.8 + 1.5 cos(2 pi t / 10) - 0.6 sin(2 pi t / 10),
// tau = 0, omega0 = 0: omega and vy stay 0, vx obeys
// m vx' = Fx - kd vx (closed form forced_decay, steady mean speed Fx0 / kd),
// and the vehicle moves along its initial heading by the integral of vx.
// To 1e-8. If u were held constant between the 21 samples the error would be
// O(0.1); a swapped channel order (tau in slot 0) fails at once.
TEST(Vehicle, ForceInputIsEvaluatedBetweenSamples) {
  Vehicle s;
  read_deck(s, "m = 2.0\nkd = 0.7\ninertia = 0.5\n");
  const double m = 2.0, kd = 0.7, W = 2 * std::numbers::pi / 10;
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(3, 3);
  c(0, 0) = 0.8, c(0, 1) = 1.5, c(0, 2) = -0.6;
  const FourierInput u(c, 10.0);
  Vehicle::State x0;
  x0 << 0.3, -0.2, 0.9, 0.4, 0.0, 0.0;
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(21, 0.0, 20.0);
  const auto x = s.integrate(x0, u, t);
  double err = 0;
  for (Eigen::Index k = 0; k < t.size(); ++k) {
    const auto [vx, ivx] = forced_decay(kd / m, 0.8 / m, 1.5 / m, -0.6 / m, W, 0.4, t(k));
    Vehicle::State ref;
    ref << 0.3 + std::cos(0.9) * ivx, -0.2 + std::sin(0.9) * ivx, 0.9, vx, 0.0, 0.0;
    err = std::max(err, (x.col(k) - ref).cwiseAbs().maxCoeff());
  }
  EXPECT_LT(err, 1e-8);
  RecordProperty("force_input_error", sci(err));
  // After many time constants the period-mean speed is Fx0 / kd.
  EXPECT_NEAR(forced_decay(kd / m, 0.8 / m, 0, 0, W, 0.4, 200.0).first, 0.8 / kd, 1e-12);
}

// Input on tau only (tau = 0.5 sin(2 pi t / 10) + 0.2 cos(4 pi t / 10)),
// at rest: the vehicle turns in place, I omega' = tau - kd omega, phi is the
// integral of omega, and x, y, vx, vy stay 0. To 1e-8.
TEST(Vehicle, TorqueInputTurnsInPlace) {
  Vehicle s;
  read_deck(s, "m = 2.0\nkd = 0.7\ninertia = 0.5\n");
  const double kd = 0.7, I = 0.5, W = 2 * std::numbers::pi / 10;
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(3, 5);
  c(2, 2) = 0.5, c(2, 3) = 0.2;
  const FourierInput u(c, 10.0);
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(21, 0.0, 10.0);
  const auto x = s.integrate(Vehicle::State::Zero(), u, t);
  double err = 0;
  for (Eigen::Index k = 0; k < t.size(); ++k) {
    const auto [w1, iw1] = forced_decay(kd / I, 0.0, 0.0, 0.5 / I, W, 0.0, t(k));
    const auto [w2, iw2] = forced_decay(kd / I, 0.0, 0.2 / I, 0.0, 2 * W, 0.0, t(k));
    Vehicle::State ref;
    ref << 0, 0, iw1 + iw2, 0, 0, w1 + w2;
    err = std::max(err, (x.col(k) - ref).cwiseAbs().maxCoeff());
  }
  EXPECT_LT(err, 1e-8);
  RecordProperty("torque_input_error", sci(err));
}

// The random input: middle channel identically 0, fundamental amplitude as
// the key says (a_1, b_1 ~ N(0, 1): sample std over 2000 draws within 5%),
// samples equal to the coefficients' series, reproducible per key.
TEST(Vehicle, RandomInputHasThePapersShape) {
  Vehicle s;
  read_deck(s, "");
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(5, 0.0, 10.0);
  const auto traj = s.simulate(t, {3, 1});
  ASSERT_EQ(traj.u.rows(), 3);
  EXPECT_EQ(traj.u.row(1).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(traj.u_coeffs.row(1).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(traj.u_coeffs.cols(), 7);
  EXPECT_TRUE(traj.u.isApprox(FourierInput(traj.u_coeffs, 10.0).sample(t)));
  EXPECT_EQ(traj.x.col(0).cwiseAbs().maxCoeff(), 0.0);  // zero initial state by default
  double sum2 = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const auto c = s.input({8, i}).coeffs();
    sum2 += c(0, 1) * c(0, 1) + c(2, 2) * c(2, 2);
  }
  EXPECT_NEAR(std::sqrt(sum2 / 2000), 1.0, 0.05);
  EXPECT_EQ(s.input({3, 1}).coeffs(), traj.u_coeffs);
}

// The example deck inputs/data/vehicle.toml names only declared keys with
// valid values and simulates a training-length trajectory with its input.
TEST(Vehicle, ExampleDeckReadsAndSimulates) {
  const auto [s, traj] =
      simulate_example_deck("vehicle", Eigen::VectorXd::LinSpaced(100, 0.0, 10.0));
  EXPECT_EQ(traj.x.rows(), 6);
  EXPECT_EQ(traj.u.rows(), 3);
  EXPECT_EQ(traj.u.cols(), 100);
}
