#include "dynlearn/systems/non_lagrangian.hpp"

#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

NonLagrangian::NonLagrangian()
    : System("non_lagrangian",
             "non-Lagrangian ODE x1'' = x1^2 + x2^2, x2'' = xi x1 (Lagrangian neural ODE "
             "paper, eq. 6); blows up in finite time: keep the horizon <= 1 for N(0, 1) "
             "initial states; state [x1, x2, v1, v2]") {
  section_
      .add("xi", xi, "coupling of x2'' = xi x1: 0 (Douglas case IIIb) or 1 (case IV)",
           io::Range::between(0, 1))
      .add("x0_mean", x0_mean, "initial positions x0_i ~ N(x0_mean, x0_std^2) (paper's code: 0)")
      .add("x0_std", x0_std, "std of the initial positions (paper's code: 1)",
           io::Range::non_negative())
      .add("v0_mean", v0_mean, "initial velocities v0_i ~ N(v0_mean, v0_std^2) (paper's code: 0)")
      .add("v0_std", v0_std, "std of the initial velocities (paper's code: 1)",
           io::Range::non_negative())
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

Eigen::Vector4d NonLagrangian::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::Vector4d x;
  x(0) = rng.normal(x0_mean, x0_std);
  x(1) = rng.normal(x0_mean, x0_std);
  x(2) = rng.normal(v0_mean, v0_std);
  x(3) = rng.normal(v0_mean, v0_std);
  return x;
}

Eigen::MatrixXd NonLagrangian::integrate(const Eigen::Vector4d& x0,
                                         const Eigen::VectorXd& t) const {
  const double c = xi;
  const OdeRhs f = [c](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                       Eigen::Ref<Eigen::VectorXd> dx) {
    dx(0) = x(2);
    dx(1) = x(3);
    dx(2) = x(0) * x(0) + x(1) * x(1);
    dx(3) = c * x(0);
  };
  return solve_ode(f, x0, t, {rtol, atol});
}

Trajectory NonLagrangian::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  Trajectory traj;
  traj.x = integrate(initial_state(key), t);
  return traj;
}

std::unique_ptr<System> make_non_lagrangian() {
  return std::make_unique<NonLagrangian>();
}

}  // namespace dynlearn::systems
