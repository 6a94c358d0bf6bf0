#include "dynlearn/models/oscillatornet.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

OscillatorWeights parse_oscillator_weights(const std::string& name) {
  if (name == "canonical") return OscillatorWeights::canonical;
  if (name == "one_filter") return OscillatorWeights::one_filter;
  if (name == "combined") return OscillatorWeights::combined;
  throw InputError("unknown OscillatorNet weights '" + name +
                   "': use \"canonical\", \"one_filter\" or \"combined\"");
}

std::string to_string(OscillatorWeights weights) {
  switch (weights) {
    case OscillatorWeights::canonical:
      return "canonical";
    case OscillatorWeights::one_filter:
      return "one_filter";
    case OscillatorWeights::combined:
      return "combined";
  }
  return "?";
}

OscillatorNet::OscillatorNet(int n_masses, OscillatorWeights weights, double dt)
    : n_(n_masses), weights_(weights), dt_(dt) {
  if (n_ < 1) throw InputError("OscillatorNet needs at least one mass");
  if (weights_ == OscillatorWeights::combined && n_ != 2)
    throw InputError(
        "OscillatorNet weights = \"combined\" (parameters a to e) is defined for two masses only");
  if (!(dt_ > 0.0)) throw InputError("OscillatorNet needs a positive sample spacing dt");
}

Eigen::Index OscillatorNet::num_parameters() const {
  switch (weights_) {
    case OscillatorWeights::canonical:
      return 3 * n_;
    case OscillatorWeights::one_filter:
      return 2 * n_;
    case OscillatorWeights::combined:
      return 5;
  }
  return 0;
}

std::vector<std::string> OscillatorNet::parameter_names() const {
  if (weights_ == OscillatorWeights::combined) return {"a", "b", "c", "d", "e"};
  std::vector<std::string> names;
  for (const char* p : {"m", "b", "k"}) {
    if (weights_ == OscillatorWeights::one_filter && std::string(p) == "b") continue;
    for (int i = 0; i < n_; ++i) names.push_back(p + std::to_string(i + 1));
  }
  return names;
}

void OscillatorNet::masses_springs(const Eigen::VectorXd& w, Eigen::VectorXd& m, Eigen::VectorXd& b,
                                   Eigen::VectorXd& k) const {
  m = w.head(n_);
  if (weights_ == OscillatorWeights::one_filter) {
    b = Eigen::VectorXd::Zero(n_);
    k = w.segment(n_, n_);
  } else {
    b = w.segment(n_, n_);
    k = w.segment(2 * n_, n_);
  }
}

void OscillatorNet::step_matrices(const Eigen::VectorXd& w, Eigen::MatrixXd& A,
                                  Eigen::VectorXd& c) const {
  if (w.size() != num_parameters()) throw InputError("OscillatorNet: wrong number of weights");
  if (weights_ == OscillatorWeights::combined) {
    A.resize(2, 2);
    A << w(0) * w(4), -w(0), -w(1), w(1);
    c = w.segment(2, 2);
    return;
  }
  Eigen::VectorXd m, b, k;
  masses_springs(w, m, b, k);
  const double h2 = dt_ * dt_;
  A.setZero(n_, n_);
  // Spring l joins mass l-1 (the wall for l = 0) and mass l.
  for (int l = 0; l < n_; ++l) {
    A(l, l) += k(l);
    if (l > 0) {
      A(l - 1, l - 1) += k(l);
      A(l - 1, l) -= k(l);
      A(l, l - 1) -= k(l);
    }
  }
  for (int i = 0; i < n_; ++i) A.row(i) *= h2 / m(i);
  c = dt_ * b.cwiseQuotient(m);
}

void OscillatorNet::step_matrices_vjp(const Eigen::VectorXd& w, const Eigen::MatrixXd& gA,
                                      const Eigen::VectorXd& gc, Eigen::VectorXd& grad_w) const {
  if (weights_ == OscillatorWeights::combined) {
    grad_w(0) += gA(0, 0) * w(4) - gA(0, 1);
    grad_w(4) += gA(0, 0) * w(0);
    grad_w(1) += -gA(1, 0) + gA(1, 1);
    grad_w(2) += gc(0);
    grad_w(3) += gc(1);
    return;
  }
  Eigen::VectorXd m, b, k;
  masses_springs(w, m, b, k);
  const double h2 = dt_ * dt_;
  const bool damped = weights_ == OscillatorWeights::canonical;
  const Eigen::Index k_off = damped ? 2 * n_ : n_;
  Eigen::MatrixXd A;
  Eigen::VectorXd c;
  step_matrices(w, A, c);
  for (int i = 0; i < n_; ++i) {
    // A_ij = h2 K_ij / m_i  and  c_i = dt b_i / m_i.
    grad_w(i) -= (gA.row(i).dot(A.row(i)) + gc(i) * c(i)) / m(i);
    if (damped) grad_w(n_ + i) += gc(i) * dt_ / m(i);
  }
  // dL/dK_ij = gA_ij h2 / m_i, then K's dependence on each spring.
  Eigen::MatrixXd gK = gA;
  for (int i = 0; i < n_; ++i) gK.row(i) *= h2 / m(i);
  for (int l = 0; l < n_; ++l) {
    double g = gK(l, l);
    if (l > 0) g += gK(l - 1, l - 1) - gK(l - 1, l) - gK(l, l - 1);
    grad_w(k_off + l) += g;
  }
}

Eigen::MatrixXd OscillatorNet::step(const Eigen::VectorXd& w, const Eigen::MatrixXd& x,
                                    const Eigen::MatrixXd& x_prev) const {
  Eigen::MatrixXd A;
  Eigen::VectorXd c;
  step_matrices(w, A, c);
  const Eigen::MatrixXd velocity = x - x_prev;
  Eigen::MatrixXd next = x + velocity - A * x;
  next -= c.asDiagonal() * velocity;
  return next;
}

double OscillatorNet::loss(const Eigen::VectorXd& w, const Eigen::MatrixXd& X,
                           Eigen::VectorXd* grad, double weight) const {
  const Eigen::Index T = X.cols();
  if (X.rows() != n_) throw InputError("OscillatorNet: trajectory has the wrong number of masses");
  if (T < 3) return 0.0;
  const Eigen::Index S = T - 2;
  const auto x = X.middleCols(1, S);
  const auto xp = X.leftCols(S);
  const Eigen::MatrixXd r = step(w, x, xp) - X.rightCols(S);
  const double scale = 1.0 / static_cast<double>(n_ * S);
  if (grad) {
    const Eigen::MatrixXd G = (2.0 * weight * scale) * r;
    const Eigen::MatrixXd gA = -G * x.transpose();
    const Eigen::VectorXd gc = -(G.cwiseProduct(x - xp)).rowwise().sum();
    step_matrices_vjp(w, gA, gc, *grad);
  }
  return weight * scale * r.squaredNorm();
}

MappingCoefficients OscillatorNet::mapping_coefficients(const Eigen::VectorXd& w) const {
  if (n_ != 2) throw InputError("OscillatorNet: the mapping net is defined for two masses");
  MappingCoefficients mc;
  if (weights_ == OscillatorWeights::combined) {
    mc.alpha = 1.0 / w(0);
    mc.beta = w(2) / w(0);
    mc.gamma = w(4);
    return mc;
  }
  Eigen::VectorXd m, b, k;
  masses_springs(w, m, b, k);
  mc.alpha = m(0) / (k(1) * dt_ * dt_);
  mc.beta = b(0) / (k(1) * dt_);
  mc.gamma = (k(0) + k(1)) / k(1);
  return mc;
}

void OscillatorNet::mapping_coefficients_vjp(const Eigen::VectorXd& w, const MappingCoefficients& g,
                                             Eigen::VectorXd& grad_w) const {
  if (weights_ == OscillatorWeights::combined) {
    const double a = w(0);
    grad_w(0) += -g.alpha / (a * a) - g.beta * w(2) / (a * a);
    grad_w(2) += g.beta / a;
    grad_w(4) += g.gamma;
    return;
  }
  Eigen::VectorXd m, b, k;
  masses_springs(w, m, b, k);
  const MappingCoefficients mc = mapping_coefficients(w);
  const bool damped = weights_ == OscillatorWeights::canonical;
  const Eigen::Index k_off = damped ? 4 : 2;
  grad_w(0) += g.alpha / (k(1) * dt_ * dt_);
  if (damped) grad_w(2) += g.beta / (k(1) * dt_);
  grad_w(k_off) += g.gamma / k(1);
  grad_w(k_off + 1) +=
      -(g.alpha * mc.alpha + g.beta * mc.beta) / k(1) - g.gamma * k(0) / (k(1) * k(1));
}

Eigen::VectorXd OscillatorNet::weights_from_constants(const Eigen::VectorXd& m,
                                                      const Eigen::VectorXd& b,
                                                      const Eigen::VectorXd& k) const {
  if (m.size() != n_ || b.size() != n_ || k.size() != n_)
    throw InputError("OscillatorNet: the constants do not describe " + std::to_string(n_) +
                     " masses");
  Eigen::VectorXd w(num_parameters());
  switch (weights_) {
    case OscillatorWeights::canonical:
      w << m, b, k;
      break;
    case OscillatorWeights::one_filter:
      w << m, k;
      break;
    case OscillatorWeights::combined: {
      const double h = dt_;
      w << h * h * k(1) / m(0), h * h * k(1) / m(1), h * b(0) / m(0), h * b(1) / m(1),
          (k(0) + k(1)) / k(1);
      break;
    }
  }
  return w;
}

double OscillatorNet::discrete_energy(const Eigen::VectorXd& w, const Eigen::VectorXd& x_next,
                                      const Eigen::VectorXd& x) const {
  if (weights_ == OscillatorWeights::combined)
    throw InputError(
        "OscillatorNet: discrete_energy needs masses and springs (canonical or one_filter "
        "weights)");
  Eigen::MatrixXd A;
  Eigen::VectorXd c;
  step_matrices(w, A, c);
  const Eigen::VectorXd m = w.head(n_);
  const Eigen::MatrixXd K = m.asDiagonal() * A / (dt_ * dt_);
  const Eigen::VectorXd d = x_next - x;
  return 0.5 * d.dot(m.cwiseProduct(d)) / (dt_ * dt_) + 0.5 * x_next.dot(K * x);
}

}  // namespace dynlearn::models
