#include "dynlearn/systems/potential_1d.hpp"

#include <cmath>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

Potential1d::Potential1d()
    : System("potential_1d",
             "one-dimensional motion x'' = -U'(x) with a selectable potential (isochronism "
             "paper); state [x, v]") {
  section_
      .add("potential", potential,
           "U(x): harmonic = omega^2 x^2/2, quartic = x^4/4, harmonic_quartic = x^2/2 + eps "
           "x^4/4, pendulum = 1 - cos x",
           {"harmonic", "quartic", "harmonic_quartic", "pendulum"})
      .add("omega", omega, "angular frequency of the harmonic potential (paper: 1, T = 2 pi)",
           io::Range::positive())
      .add("eps", eps, "quartic coefficient of harmonic_quartic", io::Range::non_negative())
      .add("sigma", sigma, "initial x and v are i.i.d. N(0, sigma^2) (paper: 1)",
           io::Range::non_negative())
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void Potential1d::prepare(std::uint64_t) {
  if (potential == "harmonic")
    kind_ = Kind::harmonic;
  else if (potential == "quartic")
    kind_ = Kind::quartic;
  else if (potential == "harmonic_quartic")
    kind_ = Kind::harmonic_quartic;
  else if (potential == "pendulum")
    kind_ = Kind::pendulum;
  else
    throw InputError("[system] potential = \"" + potential +
                     "\": choose harmonic, quartic, harmonic_quartic or pendulum");
}

double Potential1d::potential_value(double x) const {
  switch (kind_) {
    case Kind::harmonic:
      return 0.5 * omega * omega * x * x;
    case Kind::quartic:
      return 0.25 * x * x * x * x;
    case Kind::harmonic_quartic:
      return 0.5 * x * x + 0.25 * eps * x * x * x * x;
    case Kind::pendulum:
      return 1.0 - std::cos(x);
  }
  return 0.0;
}

double Potential1d::force(double x) const {
  switch (kind_) {
    case Kind::harmonic:
      return -omega * omega * x;
    case Kind::quartic:
      return -x * x * x;
    case Kind::harmonic_quartic:
      return -x - eps * x * x * x;
    case Kind::pendulum:
      return -std::sin(x);
  }
  return 0.0;
}

Eigen::Vector2d Potential1d::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::Vector2d x;
  x(0) = sigma * rng.normal();
  x(1) = sigma * rng.normal();
  return x;
}

Eigen::MatrixXd Potential1d::integrate(const Eigen::Vector2d& x0, const Eigen::VectorXd& t) const {
  const OdeRhs f = [this](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                          Eigen::Ref<Eigen::VectorXd> dx) {
    dx(0) = x(1);
    dx(1) = force(x(0));
  };
  return solve_ode(f, x0, t, {rtol, atol});
}

Trajectory Potential1d::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  Trajectory traj;
  traj.x = integrate(initial_state(key), t);
  return traj;
}

double Potential1d::energy(const Eigen::VectorXd& x) const {
  return 0.5 * x(1) * x(1) + potential_value(x(0));
}

std::unique_ptr<System> make_potential_1d() {
  return std::make_unique<Potential1d>();
}

}  // namespace dynlearn::systems
