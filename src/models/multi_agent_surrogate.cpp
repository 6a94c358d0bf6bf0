// Multi-agent surrogate: the policy part is written out by hand (it is known
// physics, with its exact state derivative), the kinematics J is one network
// applied to every agent of every sample as one batch of Na * batch columns.
#include "dynlearn/models/multi_agent_surrogate.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

struct MultiAgentTape final : integrate::FieldTape {
  nn::MlpWorkspace workspace;
  MatrixXd state;     // x, 3 Na x batch
  MatrixXd features;  // (sin phi, cos phi), 2 x (Na batch), column i + Na b
  MatrixXd j;         // network output, 6 x (Na batch)
  MatrixXd velocity;  // v_i = tanh(a_i), 2 x (Na batch)
  MatrixXd grad_j;    // upstream of the network
};

constexpr double kHalfPi = 0.5 * std::numbers::pi;

}  // namespace

MultiAgentSurrogate::MultiAgentSurrogate(int n_agents, const systems::MultiAgent::Gains& gains,
                                         bool wrap_heading_error, Index hidden)
    : n_agents_(n_agents),
      gains_(gains),
      wrap_(wrap_heading_error),
      net_({2, hidden > 0 ? hidden : 1, 6}, nn::Activation::tanh) {
  require(n_agents > 0,
          "multi-agent surrogate: n_agents must be positive, got " + std::to_string(n_agents));
  require(hidden > 0, "multi-agent surrogate: the hidden width of f_J must be positive, got " +
                          std::to_string(hidden));
  require(gains.ls > 0.0,
          "multi-agent surrogate: the avoidance length scale ls must be > 0 "
          "(call MultiAgent::prepare before taking its gains)");
}

void MultiAgentSurrogate::initialize(std::uint64_t seed) {
  net_.initialize(seed, 0);
}

void MultiAgentSurrogate::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  require(values.size() == num_parameters(),
          "multi-agent surrogate expects " + std::to_string(num_parameters()) +
              " parameters, got " + std::to_string(values.size()));
  net_.set_parameters(values);
}

std::unique_ptr<integrate::FieldTape> MultiAgentSurrogate::make_tape() const {
  return std::make_unique<MultiAgentTape>();
}

double MultiAgentSurrogate::heading_error(double a) const {
  if (!wrap_) return a;
  const double two_pi = 2.0 * std::numbers::pi;
  return a - two_pi * std::floor((a + std::numbers::pi) / two_pi);
}

void MultiAgentSurrogate::evaluate(const Eigen::Ref<const MatrixXd>& x,
                                   const Eigen::Ref<const MatrixXd>& u, Eigen::Ref<MatrixXd> out,
                                   integrate::FieldTape& tape_base) const {
  auto& tape = static_cast<MultiAgentTape&>(tape_base);
  const Index batch = x.cols(), na = n_agents_;
  const auto& g = gains_;
  tape.state = x;
  tape.features.resize(2, na * batch);
  tape.velocity.resize(2, na * batch);
  for (Index b = 0; b < batch; ++b)
    for (Index i = 0; i < na; ++i) {
      const double xi = x(3 * i, b), yi = x(3 * i + 1, b), phi = x(3 * i + 2, b);
      double a_lin = u(0, b) + g.kv;
      double a_ang = u(1, b) + g.kphi * heading_error(std::atan2(-yi, -xi) - phi);
      double o_lin = 0.0, o_ang = 0.0;
      for (Index j = 0; j < na; ++j) {
        if (j == i) continue;
        const double dx = xi - x(3 * j, b), dy = yi - x(3 * j + 1, b);
        const double d = std::hypot(dx, dy);
        const double dphi = heading_error(std::atan2(dy, dx) - phi);
        double lin = -g.kvo * std::exp(-d / g.ls);
        if (g.heading_factor) lin *= std::exp(-std::abs(dphi + kHalfPi));
        o_lin += lin;
        o_ang += g.kphio * dphi;
      }
      a_lin += o_lin / static_cast<double>(na);
      a_ang += o_ang / static_cast<double>(na);
      const Index col = i + na * b;
      tape.velocity(0, col) = std::tanh(a_lin);
      tape.velocity(1, col) = std::tanh(a_ang);
      tape.features(0, col) = std::sin(phi);
      tape.features(1, col) = std::cos(phi);
    }
  tape.j = net_.forward(tape.features, tape.workspace);
  for (Index b = 0; b < batch; ++b)
    for (Index i = 0; i < na; ++i) {
      const Index col = i + na * b;
      // Row-major 3 x 2 J: entry (r, c) at 2 r + c.
      for (Index r = 0; r < 3; ++r)
        out(3 * i + r, b) = tape.j(2 * r, col) * tape.velocity(0, col) +
                            tape.j(2 * r + 1, col) * tape.velocity(1, col);
    }
}

void MultiAgentSurrogate::vjp(const Eigen::Ref<const MatrixXd>& upstream,
                              Eigen::Ref<MatrixXd> x_adjoint,
                              Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                              integrate::FieldTape& tape_base) const {
  auto& tape = static_cast<MultiAgentTape&>(tape_base);
  const Index batch = upstream.cols(), na = n_agents_;
  const auto& g = gains_;
  const MatrixXd& x = tape.state;
  const double inv_na = 1.0 / static_cast<double>(na);
  tape.grad_j.resize(6, na * batch);
  x_adjoint.setZero();
  for (Index b = 0; b < batch; ++b)
    for (Index i = 0; i < na; ++i) {
      const Index col = i + na * b;
      double gv[2] = {0.0, 0.0};  // adjoint of v_i
      for (Index r = 0; r < 3; ++r) {
        const double gr = upstream(3 * i + r, b);
        tape.grad_j(2 * r, col) = gr * tape.velocity(0, col);
        tape.grad_j(2 * r + 1, col) = gr * tape.velocity(1, col);
        gv[0] += gr * tape.j(2 * r, col);
        gv[1] += gr * tape.j(2 * r + 1, col);
      }
      // Through tanh: adjoints of the pre-activations a_lin, a_ang.
      const double ga_lin = gv[0] * (1.0 - tape.velocity(0, col) * tape.velocity(0, col));
      const double ga_ang = gv[1] * (1.0 - tape.velocity(1, col) * tape.velocity(1, col));
      const double xi = x(3 * i, b), yi = x(3 * i + 1, b), phi = x(3 * i + 2, b);
      // Kc: kphi (atan2(-y, -x) - phi); d atan2(-y,-x) = (x dy - y dx) / r².
      const double r2 = xi * xi + yi * yi;
      if (r2 > 0.0) {
        x_adjoint(3 * i, b) += ga_ang * g.kphi * (-yi / r2);
        x_adjoint(3 * i + 1, b) += ga_ang * g.kphi * (xi / r2);
      }
      x_adjoint(3 * i + 2, b) -= ga_ang * g.kphi;
      for (Index j = 0; j < na; ++j) {
        if (j == i) continue;
        const double dx = xi - x(3 * j, b), dy = yi - x(3 * j + 1, b);
        const double d2 = dx * dx + dy * dy;
        const double d = std::sqrt(d2);
        const double dphi = heading_error(std::atan2(dy, dx) - phi);
        // Adjoint of dphi_ij and of d from both avoidance terms.
        double g_dphi = ga_ang * inv_na * g.kphio;
        double g_d = 0.0;
        double lin = -g.kvo * std::exp(-d / g.ls);
        if (g.heading_factor) {
          const double s = dphi + kHalfPi;
          lin *= std::exp(-std::abs(s));
          const double sign = s > 0.0 ? 1.0 : (s < 0.0 ? -1.0 : 0.0);
          g_dphi += ga_lin * inv_na * lin * (-sign);
        }
        g_d += ga_lin * inv_na * lin * (-1.0 / g.ls);
        // dphi = atan2(dy, dx) - phi_i, d = |(dx, dy)|, (dx, dy) = p_i - p_j.
        double g_dx = 0.0, g_dy = 0.0;
        if (d2 > 0.0) {
          g_dx = g_dphi * (-dy / d2) + g_d * dx / d;
          g_dy = g_dphi * (dx / d2) + g_d * dy / d;
        }
        x_adjoint(3 * i, b) += g_dx;
        x_adjoint(3 * i + 1, b) += g_dy;
        x_adjoint(3 * j, b) -= g_dx;
        x_adjoint(3 * j + 1, b) -= g_dy;
        x_adjoint(3 * i + 2, b) -= g_dphi;
      }
    }
  const MatrixXd& feature_adjoint = net_.vjp(tape.grad_j, parameter_gradient, tape.workspace);
  for (Index b = 0; b < batch; ++b)
    for (Index i = 0; i < na; ++i) {
      const Index col = i + na * b;
      x_adjoint(3 * i + 2, b) += feature_adjoint(0, col) * tape.features(1, col) -
                                 feature_adjoint(1, col) * tape.features(0, col);
    }
}

}  // namespace dynlearn::models
