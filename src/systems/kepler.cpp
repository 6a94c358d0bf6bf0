#include "dynlearn/systems/kepler.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/io/deck.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

Kepler::Kepler()
    : System("kepler",
             "Kepler problem in polar coordinates r'' = r phi'^2 - GM/r^2, phi'' = -2 r' phi'/r "
             "(Lagrangian neural ODE paper, eq. 6); orbits drawn by semi-latus rectum p and "
             "eccentricity e, starting at perihelion; state [r, phi, rdot, phidot]") {
  section_
      .add("horizon", horizon,
           "time span holding n_periods periods of the reference orbit (paper's code: 8)",
           io::Range::positive())
      .add("n_periods", n_periods,
           "periods of the reference orbit over the horizon (paper's code: 2)",
           io::Range::positive())
      .add("a_ref", a_ref,
           "semi-major axis of the reference orbit: GM = 4 pi^2 a_ref^3 n_periods^2 / horizon^2 "
           "(paper's code: 1)",
           io::Range::positive())
      .add("GM", GM, "gravitational parameter; 0 = from n_periods, horizon and a_ref",
           io::Range::non_negative())
      .add("p_mean", p_mean, "semi-latus rectum p ~ |N(p_mean, p_std^2)| (paper's code: 1)",
           io::Range::positive())
      .add("p_std", p_std, "std of p (paper's code: 0.1)", io::Range::non_negative())
      .add("e_mean", e_mean,
           "eccentricity e ~ N(e_mean, e_std^2) clipped to [0, e_max] (paper's code: 0.2; Fig. 2 "
           "varies it)",
           io::Range::non_negative())
      .add("e_std", e_std, "std of e (paper's code: 0.15)", io::Range::non_negative())
      .add("e_max", e_max, "upper clip of e, < 1 for bound orbits (paper's code: 0.5)",
           io::Range::between(0.0, 1.0))
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void Kepler::prepare(std::uint64_t) {
  if (!(e_max < 1.0))
    throw InputError("[system] e_max = " + io::format_real(e_max) +
                     ": must be < 1 so that every orbit is bound (paper's code: 0.5)");
  if (p_std > 0.25 * p_mean)
    throw InputError("[system] p_std = " + io::format_real(p_std) +
                     " is more than p_mean / 4: p would come close to 0 (r -> 0, a singular "
                     "orbit); lower p_std or raise p_mean");
  if (GM > 0.0) {
    gm_ = GM;
  } else {
    const double period = horizon / n_periods;
    gm_ = 4.0 * std::numbers::pi * std::numbers::pi * a_ref * a_ref * a_ref / (period * period);
  }
}

Eigen::Vector2d Kepler::orbit(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::parameters);
  const double p = std::abs(rng.normal(p_mean, p_std));
  const double e = std::clamp(rng.normal(e_mean, e_std), 0.0, e_max);
  return {p, e};
}

Eigen::Vector4d Kepler::perihelion_state(double p, double e) const {
  const double r = p / (1.0 + e);
  return {r, 0.0, 0.0, std::sqrt(gm_ * p) / (r * r)};
}

Eigen::MatrixXd Kepler::integrate(const Eigen::Vector4d& x0, const Eigen::VectorXd& t) const {
  const double gm = gm_;
  const OdeRhs f = [gm](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                        Eigen::Ref<Eigen::VectorXd> dx) {
    const double r = x(0), rd = x(2), pd = x(3);
    dx(0) = rd;
    dx(1) = pd;
    dx(2) = r * pd * pd - gm / (r * r);
    dx(3) = -2.0 * rd * pd / r;
  };
  return solve_ode(f, x0, t, {rtol, atol});
}

Trajectory Kepler::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  Trajectory traj;
  // Copied element-wise: GCC 12 warns (falsely) on an AVX load from a Vector2d.
  const Eigen::Vector2d pe = orbit(key);
  traj.params.resize(2);
  traj.params << pe(0), pe(1);
  traj.x = integrate(perihelion_state(traj.params(0), traj.params(1)), t);
  return traj;
}

std::vector<NamedArray> Kepler::constants() const {
  return {{"GM", Eigen::MatrixXd::Constant(1, 1, gm_), "gravitational parameter"}};
}

double Kepler::energy(const Eigen::VectorXd& x) const {
  return 0.5 * (x(2) * x(2) + x(0) * x(0) * x(3) * x(3)) - gm_ / x(0);
}

std::unique_ptr<System> make_kepler() {
  return std::make_unique<Kepler>();
}

}  // namespace dynlearn::systems
