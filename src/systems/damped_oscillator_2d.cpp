#include "dynlearn/systems/damped_oscillator_2d.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

DampedOscillator2d::DampedOscillator2d()
    : System("damped_oscillator_2d",
             "2-D damped oscillator x'' = -diag(omega^2) x - diag(gamma) x' (Lagrangian neural "
             "ODE paper, eq. 6); state [x1, x2, v1, v2]") {
  section_
      .add("horizon", horizon, "time span holding n_periods periods (paper's code: t in [0, 1])",
           io::Range::positive())
      .add("n_periods", n_periods,
           "periods over the horizon: omega = 2 pi n_periods / horizon (paper: 3)",
           io::Range::positive())
      .add("omegas", omegas, "explicit [omega1, omega2]; empty = from n_periods and horizon",
           io::Range::positive())
      .add("gamma_over_omega", gamma_over_omega,
           "damping gamma_i = gamma_over_omega * omega_i (paper section 4: 0.5; 0 = undamped)",
           io::Range::non_negative())
      .add("gammas", gammas, "explicit [gamma1, gamma2]; empty = gamma_over_omega * omega",
           io::Range::non_negative())
      .add("x0_mean", x0_mean, "initial positions x0_i ~ N(x0_mean, x0_std^2) (paper: 1)")
      .add("x0_std", x0_std, "std of the initial positions (paper: 1; later experiment 0.1)",
           io::Range::non_negative())
      .add("v0_factor", v0_factor,
           "initial velocities xdot0_i = v0_factor |x0_i| (paper: 1; later experiment 0.1)")
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void DampedOscillator2d::prepare(std::uint64_t) {
  if (!omegas.empty() && omegas.size() != 2)
    throw InputError(
        "[system] omegas: give 2 values [omega1, omega2] or leave it empty to use "
        "n_periods over the horizon (got " +
        std::to_string(omegas.size()) + ")");
  if (!gammas.empty() && gammas.size() != 2)
    throw InputError(
        "[system] gammas: give 2 values [gamma1, gamma2] or leave it empty to use "
        "gamma_over_omega (got " +
        std::to_string(gammas.size()) + ")");
  if (omegas.empty())
    omega_.setConstant(2.0 * std::numbers::pi * n_periods / horizon);
  else
    omega_ << omegas[0], omegas[1];
  if (gammas.empty())
    gamma_ = gamma_over_omega * omega_;
  else
    gamma_ << gammas[0], gammas[1];
}

Eigen::Vector4d DampedOscillator2d::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::Vector4d x;
  x(0) = rng.normal(x0_mean, x0_std);
  x(1) = rng.normal(x0_mean, x0_std);
  x(2) = v0_factor * std::abs(x(0));
  x(3) = v0_factor * std::abs(x(1));
  return x;
}

Eigen::MatrixXd DampedOscillator2d::integrate(const Eigen::Vector4d& x0,
                                              const Eigen::VectorXd& t) const {
  const Eigen::Vector2d w2 = omega_.cwiseProduct(omega_);
  const Eigen::Vector2d g = gamma_;
  const OdeRhs f = [w2, g](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> dx) {
    dx(0) = x(2);
    dx(1) = x(3);
    dx(2) = -w2(0) * x(0) - g(0) * x(2);
    dx(3) = -w2(1) * x(1) - g(1) * x(3);
  };
  return solve_ode(f, x0, t, {rtol, atol});
}

Trajectory DampedOscillator2d::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  Trajectory traj;
  traj.x = integrate(initial_state(key), t);
  return traj;
}

std::vector<NamedArray> DampedOscillator2d::constants() const {
  return {{"omega", omega_.transpose(), "angular frequencies [omega1, omega2]"},
          {"gamma", gamma_.transpose(), "damping rates [gamma1, gamma2]"}};
}

double DampedOscillator2d::energy(const Eigen::VectorXd& x) const {
  if (gamma_.cwiseAbs().maxCoeff() > 0.0) return std::numeric_limits<double>::quiet_NaN();
  double e = 0.0;
  for (int i = 0; i < 2; ++i)
    e += 0.5 * (x(2 + i) * x(2 + i) + omega_(i) * omega_(i) * x(i) * x(i));
  return e;
}

std::unique_ptr<System> make_damped_oscillator_2d() {
  return std::make_unique<DampedOscillator2d>();
}

}  // namespace dynlearn::systems
