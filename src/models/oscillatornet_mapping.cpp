#include "dynlearn/models/oscillatornet_mapping.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

Eigen::VectorXd backward_stencil(int derivative, int accuracy) {
  if (derivative < 1 || derivative > 2)
    throw InputError("backward_stencil: derivative must be 1 or 2");
  if (accuracy < 1 || accuracy > 10)
    throw InputError("backward_stencil: accuracy order must be in [1, 10]");
  const int n = accuracy + derivative;
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = static_cast<double>(i - (n - 1));
  // Fornberg (1988): c[j][k] is the weight of node j for the k-th derivative at 0.
  std::vector<std::vector<double>> c(n, std::vector<double>(derivative + 1, 0.0));
  double c1 = 1.0, c4 = x[0];
  c[0][0] = 1.0;
  for (int i = 1; i < n; ++i) {
    const int mn = std::min(i, derivative);
    double c2 = 1.0;
    const double c5 = c4;
    c4 = x[i];
    for (int j = 0; j < i; ++j) {
      const double c3 = x[i] - x[j];
      c2 *= c3;
      if (j == i - 1) {
        for (int k = mn; k >= 1; --k) c[i][k] = c1 * (k * c[i - 1][k - 1] - c5 * c[i - 1][k]) / c2;
        c[i][0] = -c1 * c5 * c[i - 1][0] / c2;
      }
      for (int k = mn; k >= 1; --k) c[j][k] = (c4 * c[j][k] - k * c[j][k - 1]) / c3;
      c[j][0] = c4 * c[j][0] / c3;
    }
    c1 = c2;
  }
  Eigen::VectorXd s(n);
  for (int j = 0; j < n; ++j) s(j) = c[j][derivative];
  return s;
}

MappingPadding parse_mapping_padding(const std::string& name) {
  if (name == "causal") return MappingPadding::causal;
  if (name == "valid") return MappingPadding::valid;
  throw InputError("unknown mapping padding '" + name + "': use \"causal\" or \"valid\"");
}

OscillatorMapping::OscillatorMapping(const OscillatorNet& solver, MappingOptions options)
    : solver_(solver), options_(options) {
  if (solver_.n_masses() != 2)
    throw InputError(
        "the OscillatorNet mapping net reconstructs mass 2 from mass 1: it needs two masses");
  if (options_.kernel < 1) throw InputError("the mapping kernel size must be at least 1");
  d1_ = backward_stencil(1, options_.stencil_order);
  d2_ = backward_stencil(2, options_.stencil_order);
}

Eigen::Index OscillatorMapping::num_parameters() const {
  return solver_.num_parameters() + (shared() ? 0 : 3 * options_.kernel + 1);
}

Eigen::VectorXd OscillatorMapping::initial_parameters(const Eigen::VectorXd& solver_weights) const {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(num_parameters());
  const Eigen::Index nw = solver_.num_parameters();
  theta.head(nw) = solver_weights;
  if (!shared()) {
    const MappingCoefficients mc = solver_.mapping_coefficients(solver_weights);
    theta(nw) = mc.alpha;
    theta(nw + 1) = mc.beta;
    theta(nw + 2) = mc.gamma;
  }
  return theta;
}

std::vector<std::string> OscillatorMapping::parameter_names() const {
  std::vector<std::string> names = solver_.parameter_names();
  if (shared()) return names;
  for (int j = 0; j < options_.kernel; ++j)
    for (const char* ch : {"D2", "D1", "x1"}) {
      std::string name = "u";
      name += std::to_string(j);
      name += '_';
      name += ch;
      names.push_back(std::move(name));
    }
  names.push_back("u_bias");
  return names;
}

Eigen::Index OscillatorMapping::first_mapped() const {
  if (options_.padding == MappingPadding::causal) return 0;
  return d2_.size() - 1 + options_.kernel - 1;
}

Eigen::MatrixXd OscillatorMapping::features(const Eigen::VectorXd& x1) const {
  const Eigen::Index T = x1.size();
  Eigen::MatrixXd F(3, T);
  const Eigen::Index n1 = d1_.size(), n2 = d2_.size();
  for (Eigen::Index t = 0; t < T; ++t) {
    double s2 = 0.0, s1 = 0.0;
    for (Eigen::Index j = 0; j < n2; ++j) {
      const Eigen::Index i = t - (n2 - 1) + j;
      if (i >= 0) s2 += d2_(j) * x1(i);
    }
    for (Eigen::Index j = 0; j < n1; ++j) {
      const Eigen::Index i = t - (n1 - 1) + j;
      if (i >= 0) s1 += d1_(j) * x1(i);
    }
    F(0, t) = s2;
    F(1, t) = s1;
    F(2, t) = x1(t);
  }
  return F;
}

Eigen::VectorXd OscillatorMapping::map(const Eigen::VectorXd& theta,
                                       const Eigen::VectorXd& x1) const {
  return map_features(theta, features(x1));
}

Eigen::VectorXd OscillatorMapping::map_features(const Eigen::VectorXd& theta,
                                                const Eigen::MatrixXd& F) const {
  const Eigen::Index T = F.cols();
  Eigen::VectorXd x2(T);
  if (shared()) {
    const MappingCoefficients mc =
        solver_.mapping_coefficients(theta.head(solver_.num_parameters()));
    x2 = mc.alpha * F.row(0).transpose() + mc.beta * F.row(1).transpose() +
         mc.gamma * F.row(2).transpose();
  } else {
    const Eigen::Index nw = solver_.num_parameters();
    const int K = options_.kernel;
    for (Eigen::Index t = 0; t < T; ++t) {
      double s = theta(nw + 3 * K);
      for (int j = 0; j < K && j <= t; ++j) s += theta.segment(nw + 3 * j, 3).dot(F.col(t - j));
      x2(t) = s;
    }
  }
  const Eigen::Index first = std::min(first_mapped(), T);
  x2.head(first).setConstant(std::numeric_limits<double>::quiet_NaN());
  return x2;
}

void OscillatorMapping::map_vjp(const Eigen::VectorXd& theta, const Eigen::VectorXd& x1,
                                const Eigen::VectorXd& g, Eigen::VectorXd& grad) const {
  map_features_vjp(theta, features(x1), g, grad);
}

void OscillatorMapping::map_features_vjp(const Eigen::VectorXd& theta, const Eigen::MatrixXd& F,
                                         const Eigen::VectorXd& g, Eigen::VectorXd& grad) const {
  const Eigen::Index T = F.cols();
  const Eigen::Index first = std::min(first_mapped(), T);
  const Eigen::Index nw = solver_.num_parameters();
  if (shared()) {
    MappingCoefficients gc;
    for (Eigen::Index t = first; t < T; ++t) {
      gc.alpha += g(t) * F(0, t);
      gc.beta += g(t) * F(1, t);
      gc.gamma += g(t) * F(2, t);
    }
    Eigen::VectorXd gw = Eigen::VectorXd::Zero(nw);
    solver_.mapping_coefficients_vjp(theta.head(nw), gc, gw);
    grad.head(nw) += gw;
    return;
  }
  const int K = options_.kernel;
  for (Eigen::Index t = first; t < T; ++t) {
    grad(nw + 3 * K) += g(t);
    for (int j = 0; j < K && j <= t; ++j) grad.segment(nw + 3 * j, 3) += g(t) * F.col(t - j);
  }
}

double OscillatorMapping::loss(const Eigen::VectorXd& theta, const Eigen::VectorXd& x1,
                               Eigen::VectorXd* grad, double weight) const {
  const Eigen::Index T = x1.size();
  const Eigen::Index lo = std::max<Eigen::Index>(first_mapped(), 1), hi = T - 2;
  if (hi < lo)
    throw InputError(
        "the mapping net needs more observed points than its stencil and kernel span (" +
        std::to_string(lo + 2) + ")");
  const Eigen::Index nw = solver_.num_parameters();
  const Eigen::VectorXd w = theta.head(nw);
  Eigen::MatrixXd A;
  Eigen::VectorXd c;
  solver_.step_matrices(w, A, c);
  // The features serve the forward map and, with a gradient, its VJP.
  const Eigen::MatrixXd F = features(x1);
  const Eigen::VectorXd x2 = map_features(theta, F);
  const Eigen::Index S = hi - lo + 1;
  const double scale = 1.0 / static_cast<double>(S);
  double sum = 0.0;
  Eigen::MatrixXd gA = Eigen::MatrixXd::Zero(2, 2);
  Eigen::VectorXd gc = Eigen::VectorXd::Zero(2);
  Eigen::VectorXd gx2 = Eigen::VectorXd::Zero(T);
  for (Eigen::Index t = lo; t <= hi; ++t) {
    const double v = x1(t) - x1(t - 1);
    const double pred = x1(t) + v - A(0, 0) * x1(t) - A(0, 1) * x2(t) - c(0) * v;
    const double r = pred - x1(t + 1);
    sum += r * r;
    const double G = 2.0 * weight * scale * r;
    gA(0, 0) -= G * x1(t);
    gA(0, 1) -= G * x2(t);
    gc(0) -= G * v;
    gx2(t) = -A(0, 1) * G;
  }
  if (grad) {
    Eigen::VectorXd gw = Eigen::VectorXd::Zero(nw);
    solver_.step_matrices_vjp(w, gA, gc, gw);
    grad->head(nw) += gw;
    map_features_vjp(theta, F, gx2, *grad);
  }
  return weight * scale * sum;
}

}  // namespace dynlearn::models
