#include "dynlearn/systems/coupled_oscillators.hpp"

#include <limits>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

CoupledOscillators::CoupledOscillators()
    : System("coupled_oscillators",
             "N damped oscillators in a chain: wall - k1 - m1 - k2 - m2 - ... - mN, damper b_i "
             "on each mass (OscillatorNet, section 3.2, eq. 13, Table 3); state [x_1..x_N, "
             "v_1..v_N]") {
  section_
      .add("m", m, "masses [kg], one per oscillator (Table 3: [1.5, 0.9])", io::Range::positive())
      .add("b", b, "damping coefficients [kg/s], one per mass (Table 3: [0.5, 0.3])",
           io::Range::non_negative())
      .add("k", k,
           "spring constants [kg/s^2]: k[0] wall to mass 1, k[i] mass i to mass i+1 "
           "(Table 3: [14, 35])",
           io::Range::positive())
      .add("x0", x0, "initial positions [m], one per mass (mean over trajectories)")
      .add("v0", v0, "initial velocities [m/s], one per mass (mean over trajectories)")
      .add("x0_std", x0_std, "std of a Gaussian spread of each initial position",
           io::Range::non_negative())
      .add("v0_std", v0_std, "std of a Gaussian spread of each initial velocity",
           io::Range::non_negative())
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void CoupledOscillators::prepare(std::uint64_t) {
  const auto N = m.size();
  if (N == 0) throw InputError("[system] m: give at least one mass");
  const auto check = [N](const std::vector<double>& a, const char* key, const char* what) {
    if (a.size() == N) return;
    std::string msg = "[system] ";
    msg += key;
    msg += " has " + std::to_string(a.size()) + " values but m has " + std::to_string(N);
    msg += ": give one ";
    msg += what;
    msg += " per mass";
    throw InputError(msg);
  };
  check(b, "b", "damping coefficient");
  check(k, "k", "spring constant (k[0] ties mass 1 to the wall)");
  check(x0, "x0", "initial position");
  check(v0, "v0", "initial velocity");
}

std::vector<std::string> CoupledOscillators::state_names() const {
  std::vector<std::string> names;
  for (const char* c : {"x", "v"})
    for (int i = 1; i <= n(); ++i) names.push_back(std::string(c) += std::to_string(i));
  return names;
}

std::vector<int> CoupledOscillators::position_indices() const {
  std::vector<int> idx(n());
  for (int i = 0; i < n(); ++i) idx[i] = i;
  return idx;
}

Eigen::VectorXd CoupledOscillators::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  const int N = n();
  Eigen::VectorXd s(2 * N);
  for (int i = 0; i < N; ++i) s(i) = x0[i] + x0_std * rng.normal();
  for (int i = 0; i < N; ++i) s(N + i) = v0[i] + v0_std * rng.normal();
  return s;
}

namespace {

// Accelerations of the chain; x = [positions, velocities].
void accelerations(const std::vector<double>& m, const std::vector<double>& b,
                   const std::vector<double>& k, const Eigen::Ref<const Eigen::VectorXd>& x,
                   Eigen::Ref<Eigen::VectorXd> dx) {
  const int N = static_cast<int>(m.size());
  for (int i = 0; i < N; ++i) {
    const double left = i == 0 ? x(0) : x(i) - x(i - 1);  // stretch of spring i
    double force = -k[i] * left - b[i] * x(N + i);
    if (i + 1 < N) force += k[i + 1] * (x(i + 1) - x(i));
    dx(i) = x(N + i);
    dx(N + i) = force / m[i];
  }
}

}  // namespace

Eigen::VectorXd CoupledOscillators::rhs(const Eigen::VectorXd& x) const {
  Eigen::VectorXd dx(x.size());
  accelerations(m, b, k, x, dx);
  return dx;
}

Trajectory CoupledOscillators::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  const OdeRhs f = [this](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                          Eigen::Ref<Eigen::VectorXd> dx) { accelerations(m, b, k, x, dx); };
  Trajectory traj;
  traj.x = solve_ode(f, initial_state(key), t, {rtol, atol});
  return traj;
}

std::vector<NamedArray> CoupledOscillators::constants() const {
  const auto col = [](const std::vector<double>& a) {
    return Eigen::MatrixXd(Eigen::Map<const Eigen::VectorXd>(a.data(), a.size()));
  };
  return {{"m", col(m), "masses [kg]"},
          {"b", col(b), "damping coefficients [kg/s]"},
          {"k", col(k), "spring constants [kg/s^2]: k[0] wall to mass 1, k[i] mass i to i+1"}};
}

double CoupledOscillators::mechanical_energy(const Eigen::VectorXd& x) const {
  const int N = n();
  double e = 0.0;
  for (int i = 0; i < N; ++i) {
    const double stretch = i == 0 ? x(0) : x(i) - x(i - 1);
    e += 0.5 * m[i] * x(N + i) * x(N + i) + 0.5 * k[i] * stretch * stretch;
  }
  return e;
}

double CoupledOscillators::energy(const Eigen::VectorXd& x) const {
  for (double bi : b)
    if (bi != 0.0) return std::numeric_limits<double>::quiet_NaN();
  return mechanical_energy(x);
}

std::unique_ptr<System> make_coupled_oscillators() {
  return std::make_unique<CoupledOscillators>();
}

}  // namespace dynlearn::systems
