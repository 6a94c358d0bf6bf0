#include "dynlearn/systems/vehicle.hpp"

#include <cmath>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

Vehicle::Vehicle()
    : System("vehicle",
             "planar vehicle eta' = J(eta) v, M v' + kd v + C(v) v = u (SNet paper, section 5 "
             "and appendix A) driven by a random Fourier input u = (Fx, 0, tau); state [x, y, "
             "phi, vx, vy, omega]") {
  section_.add("m", m, "vehicle mass (paper: 1)", io::Range::positive())
      .add("kd", kd, "linear damping d(v) = kd v (paper: Kd = 1)", io::Range::non_negative())
      .add("inertia", inertia, "rotational inertia I (not given in the paper; our choice: 1)",
           io::Range::positive())
      .add("input_amplitude", input_amplitude,
           "fundamental amplitude of the Fourier inputs Fx and tau (paper: 1); harmonic k has "
           "amplitude / k",
           io::Range::non_negative())
      .add("input_harmonics", input_harmonics,
           "harmonics of the Fourier inputs (not given in the paper; our choice: 3)",
           io::Range::at_least(0))
      .add("input_period", input_period,
           "period of the Fourier inputs (paper: the training horizon T = 10 s)",
           io::Range::positive())
      .add("pose_std", pose_std,
           "std of the Gaussian initial [x, y, phi] (not given in the paper; default 0)",
           io::Range::non_negative(), 3)
      .add("velocity_std", velocity_std,
           "std of the Gaussian initial [vx, vy, omega] (not given in the paper; default 0)",
           io::Range::non_negative(), 3)
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

Vehicle::State Vehicle::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  State x;
  for (int i = 0; i < 3; ++i) x(i) = rng.normal(0.0, pose_std[i]);
  for (int i = 0; i < 3; ++i) x(3 + i) = rng.normal(0.0, velocity_std[i]);
  return x;
}

FourierInput Vehicle::input(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::input);
  const FourierInput two =
      FourierInput::random(2, input_harmonics, input_amplitude, input_period, rng);
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(3, two.coeffs().cols());
  c.row(0) = two.coeffs().row(0);
  c.row(2) = two.coeffs().row(1);
  return FourierInput(std::move(c), input_period);
}

void Vehicle::rhs(const Eigen::Vector3d& u, const Eigen::Ref<const Eigen::VectorXd>& x,
                  Eigen::Ref<Eigen::VectorXd> dx) const {
  const double c = std::cos(x(2)), s = std::sin(x(2));
  const double vx = x(3), vy = x(4), w = x(5);
  dx(0) = c * vx - s * vy;
  dx(1) = s * vx + c * vy;
  dx(2) = w;
  // M v' = u - d(v) - C(v) v with C(v) v = (-m w vy, m w vx, 0).
  dx(3) = (u(0) - kd * vx + m * w * vy) / m;
  dx(4) = (u(1) - kd * vy - m * w * vx) / m;
  dx(5) = (u(2) - kd * w) / inertia;
}

DrivenRhs Vehicle::driven_rhs() const {
  return [this](const Eigen::VectorXd& u, const Eigen::Ref<const Eigen::VectorXd>& x,
                Eigen::Ref<Eigen::VectorXd> dx) { rhs(u, x, dx); };
}

Eigen::MatrixXd Vehicle::integrate(const State& x0, const FourierInput& u,
                                   const Eigen::VectorXd& t) const {
  return solve_driven(driven_rhs(), u, x0, t, {rtol, atol});
}

Trajectory Vehicle::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  return driven_trajectory(driven_rhs(), input(key), initial_state(key), t, {rtol, atol});
}

std::unique_ptr<System> make_vehicle() {
  return std::make_unique<Vehicle>();
}

}  // namespace dynlearn::systems
