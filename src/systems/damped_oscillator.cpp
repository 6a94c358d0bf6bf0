#include "dynlearn/systems/damped_oscillator.hpp"

#include <limits>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

DampedOscillator::DampedOscillator()
    : System("damped_oscillator",
             "damped harmonic oscillator m x'' + b x' + k x = 0 (OscillatorNet, section 3.1, "
             "Table 1); state [x, v]") {
  section_.add("m", m, "mass [kg] (OscillatorNet Table 1: 2)", io::Range::positive())
      .add("b", b, "damping coefficient [kg/s] (Table 1: 1.5)", io::Range::non_negative())
      .add("k", k, "spring constant [kg/s^2] (Table 1: 40)", io::Range::positive())
      .add("x0", x0, "initial position [m], mean over trajectories")
      .add("v0", v0, "initial velocity [m/s], mean over trajectories")
      .add("x0_std", x0_std, "std of a Gaussian spread of the initial position per trajectory",
           io::Range::non_negative())
      .add("v0_std", v0_std, "std of a Gaussian spread of the initial velocity per trajectory",
           io::Range::non_negative())
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void DampedOscillator::prepare(std::uint64_t) {}

Eigen::Vector2d DampedOscillator::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::Vector2d s;
  s(0) = x0 + x0_std * rng.normal();
  s(1) = v0 + v0_std * rng.normal();
  return s;
}

Trajectory DampedOscillator::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  const double bm = b / m, km = k / m;
  const OdeRhs f = [bm, km](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                            Eigen::Ref<Eigen::VectorXd> dx) {
    dx(0) = x(1);
    dx(1) = -bm * x(1) - km * x(0);
  };
  Trajectory traj;
  traj.x = solve_ode(f, initial_state(key), t, {rtol, atol});
  return traj;
}

std::vector<NamedArray> DampedOscillator::constants() const {
  return {{"m", Eigen::MatrixXd::Constant(1, 1, m), "mass [kg]"},
          {"b", Eigen::MatrixXd::Constant(1, 1, b), "damping coefficient [kg/s]"},
          {"k", Eigen::MatrixXd::Constant(1, 1, k), "spring constant [kg/s^2]"}};
}

double DampedOscillator::mechanical_energy(const Eigen::VectorXd& x) const {
  return 0.5 * m * x(1) * x(1) + 0.5 * k * x(0) * x(0);
}

double DampedOscillator::energy(const Eigen::VectorXd& x) const {
  return b == 0.0 ? mechanical_energy(x) : std::numeric_limits<double>::quiet_NaN();
}

std::unique_ptr<System> make_damped_oscillator() {
  return std::make_unique<DampedOscillator>();
}

}  // namespace dynlearn::systems
