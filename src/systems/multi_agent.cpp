#include "dynlearn/systems/multi_agent.hpp"

#include <cmath>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"
#include "dynlearn/systems/ode_solver.hpp"

namespace dynlearn::systems {

MultiAgent::MultiAgent()
    : System("multi_agent",
             "Na kinematic vehicles eta_i' = J(eta_i) tanh(w + Kc + (1/Na) sum Ko) with "
             "go-to-origin and collision-avoidance policies (SNet paper, section 6 and appendix "
             "B); state [x_1, y_1, phi_1, x_2, ...]") {
  section_.add("n_agents", n_agents, "number of agents Na (paper: 10)", io::Range::at_least(1))
      .add("configuration", configuration,
           "gains and input of appendix B: train (kv 0.05, kphi 0.1, kvo 0.001, kphio 0.01, ls "
           "0.01, w amplitude 0.1) or test (Ko without e^{-|dphi_ij + pi/2|}, kvo 0.05, kphio "
           "0.1, w = 0)",
           {"train", "test"})
      .add("kv", kv, "linear speed gain of Kc; < 0 = the configuration's value (0.05)")
      .add("kphi", kphi, "heading gain of Kc; < 0 = the configuration's value (0.1)")
      .add("kvo", kvo,
           "linear avoidance gain of Ko; < 0 = the configuration's value (train 0.001, test 0.05)")
      .add("kphio", kphio,
           "angular avoidance gain of Ko; < 0 = the configuration's value (train 0.01, test 0.1)")
      .add("ls", ls, "avoidance length scale of e^{-d/ls}; < 0 = the configuration's value (0.01)")
      .add("input_amplitude", input_amplitude,
           "fundamental amplitude of the shared Fourier input w; < 0 = the configuration's value "
           "(train 0.1, test 0)")
      .add("input_harmonics", input_harmonics,
           "harmonics of the Fourier input w (not given in the paper; our choice: 3)",
           io::Range::at_least(0))
      .add("input_period", input_period,
           "period of the Fourier input w (the training horizon T = 10 s)", io::Range::positive())
      .add("position_range", position_range,
           "initial x_i, y_i ~ U(-range, range), phi_i ~ U(-pi, pi) (not given in the paper)",
           io::Range::non_negative())
      .add("wrap_heading_error", wrap_heading_error,
           "wrap dphi_i and dphi_ij into [-pi, pi) (the paper uses them unwrapped)")
      .add("rtol", rtol, "relative tolerance of the ground-truth ODE solver", io::Range::positive())
      .add("atol", atol, "absolute tolerance of the ground-truth ODE solver",
           io::Range::positive());
}

void MultiAgent::prepare(std::uint64_t) {
  const bool train = configuration == "train";
  const auto pick = [](double key, double config) { return key < 0.0 ? config : key; };
  gains_.kv = pick(kv, 0.05);
  gains_.kphi = pick(kphi, 0.1);
  gains_.kvo = pick(kvo, train ? 0.001 : 0.05);
  gains_.kphio = pick(kphio, train ? 0.01 : 0.1);
  gains_.ls = pick(ls, 0.01);
  gains_.heading_factor = train;
  amplitude_ = pick(input_amplitude, train ? 0.1 : 0.0);
  if (!(gains_.ls > 0.0))
    throw InputError(
        "[system] ls = 0: the avoidance length scale must be > 0 (or negative for "
        "the configuration's 0.01)");
}

std::vector<std::string> MultiAgent::state_names() const {
  std::vector<std::string> names;
  for (int i = 1; i <= n_agents; ++i)
    for (const char* c : {"x_", "y_", "phi_"}) names.push_back(c + std::to_string(i));
  return names;
}

std::vector<int> MultiAgent::position_indices() const {
  std::vector<int> idx;
  for (int i = 0; i < n_agents; ++i) {
    idx.push_back(3 * i);
    idx.push_back(3 * i + 1);
  }
  return idx;
}

Eigen::VectorXd MultiAgent::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::VectorXd x(3 * n_agents);
  for (int i = 0; i < n_agents; ++i) {
    x(3 * i) = rng.uniform(-position_range, position_range);
    x(3 * i + 1) = rng.uniform(-position_range, position_range);
    x(3 * i + 2) = rng.uniform(-std::numbers::pi, std::numbers::pi);
  }
  return x;
}

FourierInput MultiAgent::input(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::input);
  return FourierInput::random(2, input_harmonics, amplitude_, input_period, rng);
}

double MultiAgent::heading_error(double a) const {
  if (!wrap_heading_error) return a;
  const double two_pi = 2.0 * std::numbers::pi;
  return a - two_pi * std::floor((a + std::numbers::pi) / two_pi);
}

void MultiAgent::rhs(const Eigen::Ref<const Eigen::VectorXd>& w, const Eigen::Ref<const Eigen::VectorXd>& x,
                     Eigen::Ref<Eigen::VectorXd> dx) const {
  const auto& g = gains_;
  const int na = n_agents;
  for (int i = 0; i < na; ++i) {
    const double xi = x(3 * i), yi = x(3 * i + 1), phi = x(3 * i + 2);
    double a_lin = w(0) + g.kv;
    double a_ang = w(1) + g.kphi * heading_error(std::atan2(-yi, -xi) - phi);
    double o_lin = 0.0, o_ang = 0.0;
    for (int j = 0; j < na; ++j) {
      if (j == i) continue;
      const double dxij = xi - x(3 * j), dyij = yi - x(3 * j + 1);
      const double d = std::hypot(dxij, dyij);
      const double dphi = heading_error(std::atan2(dyij, dxij) - phi);
      double lin = -g.kvo * std::exp(-d / g.ls);
      if (g.heading_factor) lin *= std::exp(-std::abs(dphi + 0.5 * std::numbers::pi));
      o_lin += lin;
      o_ang += g.kphio * dphi;
    }
    a_lin += o_lin / na;
    a_ang += o_ang / na;
    const double v = std::tanh(a_lin), om = std::tanh(a_ang);
    dx(3 * i) = std::cos(phi) * v;
    dx(3 * i + 1) = std::sin(phi) * v;
    dx(3 * i + 2) = om;
  }
}

DrivenRhs MultiAgent::driven_rhs() const {
  return [this](const Eigen::VectorXd& w, const Eigen::Ref<const Eigen::VectorXd>& x,
                Eigen::Ref<Eigen::VectorXd> dx) { rhs(w, x, dx); };
}

Eigen::MatrixXd MultiAgent::integrate(const Eigen::VectorXd& x0, const FourierInput& w,
                                      const Eigen::VectorXd& t) const {
  return solve_driven(driven_rhs(), w, x0, t, {rtol, atol});
}

Trajectory MultiAgent::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  return driven_trajectory(driven_rhs(), input(key), initial_state(key), t, {rtol, atol});
}

std::unique_ptr<System> make_multi_agent() {
  return std::make_unique<MultiAgent>();
}

}  // namespace dynlearn::systems
