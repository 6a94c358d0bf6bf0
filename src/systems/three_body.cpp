#include "dynlearn/systems/three_body.hpp"

#include <cmath>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

ThreeBody::ThreeBody()
    : System("three_body",
             "planar three-body problem, equal masses, near-circular random initial orbits "
             "(SRNN section 5, A.2; Greydanus et al. 2019); state [x1, y1, x2, y2, x3, y3, "
             "px1, ..., py3]") {
  section_.add("mass", mass, "mass of each body (Greydanus et al.: 1)", io::Range::positive())
      .add("G", G, "gravitational constant (Greydanus et al.: 1)", io::Range::positive())
      .add("min_radius", min_radius, "smallest radius of the initial circle (Greydanus: 0.9)",
           io::Range::positive())
      .add("max_radius", max_radius, "largest radius of the initial circle (Greydanus: 1.2)",
           io::Range::positive())
      .add("nu", nu,
           "perturbation of the circular-orbit velocities: each component times 1 + nu U[-1, 1] "
           "(Greydanus: 0.2)",
           io::Range::between(0.0, 1.0))
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void ThreeBody::prepare(std::uint64_t) {
  if (min_radius > max_radius)
    throw InputError("[system] min_radius = " + io::format_real(min_radius) +
                     " exceeds max_radius = " + io::format_real(max_radius) +
                     ": make min_radius <= max_radius");
}

std::vector<std::string> ThreeBody::state_names() const {
  return {"x1", "y1", "x2", "y2", "x3", "y3", "px1", "py1", "px2", "py2", "px3", "py3"};
}

namespace {

Eigen::Vector2d rotate(const Eigen::Vector2d& v, double theta) {
  const double c = std::cos(theta), s = std::sin(theta);
  return {c * v(0) - s * v(1), s * v(0) + c * v(1)};
}

}  // namespace

Eigen::VectorXd ThreeBody::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  constexpr double third = 2.0 * std::numbers::pi / 3.0;
  // Greydanus et al.'s recipe, draw for draw: a point in [-1, 1]^2, a radius,
  // then two perturbation factors per body.
  Eigen::Vector2d q1(rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0));
  while (q1.norm() < 1e-12) q1 = {rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)};
  const double r = rng.uniform(min_radius, max_radius);
  q1 *= r / q1.norm();
  // Circular orbit of three equal masses on a circle of radius r: the net pull
  // toward the centre is G m^2 / (sqrt(3) r^2), so v = sqrt(G m / (sqrt(3) r))
  // (Greydanus's factor sqrt(sin(pi/3) / (2 cos(pi/6)^2)) / r^1.5 at G m = 1).
  const double speed = std::sqrt(G * mass / (std::sqrt(3.0) * r));
  Eigen::Vector2d v1 = rotate(q1, std::numbers::pi / 2) * (speed / r);
  Eigen::VectorXd x(12);
  for (int i = 0; i < 3; ++i) {
    const Eigen::Vector2d qi = rotate(q1, i * third);
    Eigen::Vector2d vi = rotate(v1, i * third);
    vi(0) *= 1.0 + nu * rng.uniform(-1.0, 1.0);
    vi(1) *= 1.0 + nu * rng.uniform(-1.0, 1.0);
    x.segment<2>(2 * i) = qi;
    x.segment<2>(6 + 2 * i) = mass * vi;
  }
  return x;
}

Eigen::VectorXd ThreeBody::rhs(const Eigen::VectorXd& x) const {
  Eigen::VectorXd dx(12);
  dx.head(6) = x.tail(6) / mass;
  dx.tail(6).setZero();
  const double gmm = G * mass * mass;
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j) {
      const Eigen::Vector2d d = x.segment<2>(2 * j) - x.segment<2>(2 * i);
      const double r2 = d.squaredNorm();
      const Eigen::Vector2d f = gmm / (r2 * std::sqrt(r2)) * d;  // force on i toward j
      dx.segment<2>(6 + 2 * i) += f;
      dx.segment<2>(6 + 2 * j) -= f;
    }
  return dx;
}

Trajectory ThreeBody::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  const OdeRhs f = [this](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                          Eigen::Ref<Eigen::VectorXd> dx) { dx = rhs(x); };
  Trajectory traj;
  traj.x = solve_ode(f, initial_state(key), t, {rtol, atol});
  return traj;
}

std::vector<NamedArray> ThreeBody::constants() const {
  return {{"masses", Eigen::MatrixXd::Constant(3, 1, mass), "masses of the three bodies"},
          {"G", Eigen::MatrixXd::Constant(1, 1, G), "gravitational constant"}};
}

double ThreeBody::energy(const Eigen::VectorXd& x) const {
  double e = 0.5 * x.tail(6).squaredNorm() / mass;
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j)
      e -= G * mass * mass / (x.segment<2>(2 * j) - x.segment<2>(2 * i)).norm();
  return e;
}

std::unique_ptr<System> make_three_body() {
  return std::make_unique<ThreeBody>();
}

}  // namespace dynlearn::systems
