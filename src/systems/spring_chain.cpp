#include "dynlearn/systems/spring_chain.hpp"

#include <algorithm>
#include <cmath>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"

namespace dynlearn::systems {

SpringChain::SpringChain()
    : System("spring_chain",
             "chain of masses joined by springs, both ends tied to the ground (SRNN section 4, "
             "appendix A.1); random masses and springs shared by all trajectories; state "
             "[q_1..q_N, p_1..p_N]; ground truth by fine-step leapfrog") {
  section_
      .add("n_masses", n_masses, "number of masses N (SRNN: 20); N + 1 springs",
           io::Range::at_least(1))
      .add("mass_mean", mass_mean,
           "masses are max(N(mass_mean, mass_std^2), mass_min), drawn once from the run seed "
           "(SRNN reference code: 1)",
           io::Range::positive())
      .add("mass_std", mass_std, "std of the random masses (reference code: 0.25)",
           io::Range::non_negative())
      .add("mass_min", mass_min, "lower clamp of the random masses (reference code: 0.2)",
           io::Range::positive())
      .add("spring_mean", spring_mean,
           "spring constants are max(N(spring_mean, spring_std^2), spring_min) (reference "
           "code: 5)",
           io::Range::positive())
      .add("spring_std", spring_std, "std of the random spring constants (reference: 1.25)",
           io::Range::non_negative())
      .add("spring_min", spring_min, "lower clamp of the spring constants (reference: 1)",
           io::Range::positive())
      .add("masses", masses, "explicit masses, n_masses values (empty: draw them)",
           io::Range::positive())
      .add("springs", springs,
           "explicit spring constants, n_masses + 1 values, ground-1, 1-2, ..., N-ground "
           "(empty: draw them)",
           io::Range::positive())
      .add("q0_half_width", q0_half_width,
           "initial positions uniform in [-w, w] per trajectory (reference code: 2.5)",
           io::Range::non_negative())
      .add("p0_half_width", p0_half_width,
           "initial momenta uniform in [-w, w] per trajectory (reference code: 2.5)",
           io::Range::non_negative())
      .add("fine_dt", fine_dt,
           "leapfrog step of the ground truth (SRNN A.1: 0.001); each sample gap is split "
           "into ceil(gap / fine_dt) equal steps",
           io::Range::positive());
}

void SpringChain::prepare(std::uint64_t seed) {
  const auto N = static_cast<std::size_t>(n_masses);
  if (!masses.empty() && masses.size() != N)
    throw InputError("[system] masses has " + std::to_string(masses.size()) +
                     " values but n_masses = " + std::to_string(N) +
                     ": give one mass per mass point, or leave masses out to draw them");
  if (!springs.empty() && springs.size() != N + 1)
    throw InputError("[system] springs has " + std::to_string(springs.size()) +
                     " values but the chain has n_masses + 1 = " + std::to_string(N + 1) +
                     " springs: give them all, or leave springs out to draw them");
  // Always draw both in the same order, so giving one explicitly does not
  // change the other's values.
  core::Rng rng(seed, 0, core::Purpose::system);
  mass_.resize(n_masses);
  spring_.resize(n_masses + 1);
  for (int i = 0; i < n_masses; ++i)
    mass_(i) = std::max(mass_mean + mass_std * rng.normal(), mass_min);
  for (int i = 0; i <= n_masses; ++i)
    spring_(i) = std::max(spring_mean + spring_std * rng.normal(), spring_min);
  if (!masses.empty()) mass_ = Eigen::Map<const Eigen::VectorXd>(masses.data(), n_masses);
  if (!springs.empty()) spring_ = Eigen::Map<const Eigen::VectorXd>(springs.data(), n_masses + 1);
}

std::vector<std::string> SpringChain::state_names() const {
  std::vector<std::string> names;
  for (const char* c : {"q", "p"})
    for (int i = 1; i <= n_masses; ++i) names.push_back(std::string(c) += std::to_string(i));
  return names;
}

std::vector<int> SpringChain::position_indices() const {
  std::vector<int> idx(n_masses);
  for (int i = 0; i < n_masses; ++i) idx[i] = i;
  return idx;
}

Eigen::VectorXd SpringChain::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::VectorXd x(2 * n_masses);
  for (int i = 0; i < n_masses; ++i) x(i) = rng.uniform(-q0_half_width, q0_half_width);
  for (int i = 0; i < n_masses; ++i) x(n_masses + i) = rng.uniform(-p0_half_width, p0_half_width);
  return x;
}

Eigen::VectorXd SpringChain::potential_gradient(const Eigen::VectorXd& q) const {
  const int N = n_masses;
  // Spring i (0..N) has stretch s_i = q_i - q_{i-1} with q_0 = q_{N+1} = 0
  // (1-based masses); dV/dq_j = k_{j-1} s_{j-1} - k_j s_j in 0-based terms.
  Eigen::VectorXd g(N);
  double left = spring_(0) * q(0);  // tension of the spring left of mass 0
  for (int j = 0; j < N; ++j) {
    const double right = spring_(j + 1) * ((j + 1 < N ? q(j + 1) : 0.0) - q(j));
    g(j) = left - right;
    left = right;
  }
  return g;
}

Eigen::VectorXd SpringChain::rhs(const Eigen::VectorXd& x) const {
  const int N = n_masses;
  Eigen::VectorXd dx(2 * N);
  dx.head(N) = x.tail(N).cwiseQuotient(mass_);
  dx.tail(N) = -potential_gradient(x.head(N));
  return dx;
}

Eigen::VectorXd SpringChain::leapfrog(Eigen::VectorXd x, double span) const {
  const int N = n_masses;
  // The 1e-9 slack keeps a gap that is a multiple of fine_dt (0.1 / 0.001 =
  // 100.00000000000001 in floating point) from taking an extra step.
  const auto steps = static_cast<long>(std::ceil(span / fine_dt * (1.0 - 1e-9)));
  if (steps <= 0) return x;
  const double h = span / static_cast<double>(steps);
  auto q = x.head(N);
  auto p = x.tail(N);
  p -= 0.5 * h * potential_gradient(q);
  for (long s = 0; s < steps; ++s) {
    q += h * p.cwiseQuotient(mass_);
    const Eigen::VectorXd g = potential_gradient(q);
    p -= (s + 1 < steps ? h : 0.5 * h) * g;
  }
  return x;
}

Trajectory SpringChain::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  Trajectory traj;
  traj.x.resize(2 * n_masses, t.size());
  Eigen::VectorXd x = initial_state(key);
  traj.x.col(0) = x;
  for (Eigen::Index k = 1; k < t.size(); ++k) {
    x = leapfrog(x, t(k) - t(k - 1));
    if (!x.allFinite()) throw NumericalError("spring_chain: leapfrog produced a non-finite state");
    traj.x.col(k) = x;
  }
  return traj;
}

std::vector<NamedArray> SpringChain::constants() const {
  return {{"masses", mass_, "masses of the chain, mass 1 to N"},
          {"springs", spring_,
           "spring constants: ground to mass 1, mass i to mass i+1, mass N to ground"}};
}

double SpringChain::energy(const Eigen::VectorXd& x) const {
  const int N = n_masses;
  const auto q = x.head(N);
  const auto p = x.tail(N);
  double e = 0.5 * p.cwiseAbs2().cwiseQuotient(mass_).sum();
  for (int i = 0; i <= N; ++i) {
    const double s = (i < N ? q(i) : 0.0) - (i > 0 ? q(i - 1) : 0.0);
    e += 0.5 * spring_(i) * s * s;
  }
  return e;
}

std::unique_ptr<System> make_spring_chain() {
  return std::make_unique<SpringChain>();
}

}  // namespace dynlearn::systems
