#include "dynlearn/spectral/element_chain.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/spectral/legendre.hpp"

namespace dynlearn::spectral {

ElementChain::ElementChain(double t0, double t1, int elements, int p)
    : t0_(t0), t1_(t1), elements_(elements), p_(p), basis_(gauss_lobatto_legendre(p).nodes) {
  if (elements < 1)
    throw InputError("[snet] elements must be >= 1, got " + std::to_string(elements));
  if (!(t1 > t0)) throw InputError("a spectral element chain needs t1 > t0");
  derivative_ = basis_.differentiation() * (2.0 / element_length());
}

double ElementChain::node_time(int k) const {
  const int e = std::min(k / p_, elements_ - 1);
  const int i = k - e * p_;
  const double h = element_length();
  return t0_ + e * h + 0.5 * h * (basis_.nodes()(i) + 1.0);
}

Eigen::VectorXd ElementChain::element_times(int e) const {
  const double h = element_length();
  Eigen::VectorXd t = (t0_ + e * h) + 0.5 * h * (basis_.nodes().array() + 1.0);
  return t;
}

int ElementChain::element_of(double t) const {
  const double h = element_length();
  const double slack = 1e-12 * (t1_ - t0_);
  if (t < t0_ - slack || t > t1_ + slack)
    throw InputError("sample time " + std::to_string(t) + " lies outside the SNet horizon [" +
                     std::to_string(t0_) + ", " + std::to_string(t1_) + "]");
  const int e = static_cast<int>(std::floor((t - t0_) / h));
  return std::clamp(e, 0, elements_ - 1);
}

double ElementChain::reference_point(int e, double t) const {
  const double h = element_length();
  return std::clamp(2.0 * (t - (t0_ + e * h)) / h - 1.0, -1.0, 1.0);
}

SampleMap ElementChain::sample_map(const Eigen::VectorXd& t) const {
  SampleMap map;
  map.element.resize(static_cast<std::size_t>(t.size()));
  map.weights.resize(t.size(), p_ + 1);
  for (Eigen::Index k = 0; k < t.size(); ++k) {
    const int e = element_of(t(k));
    map.element[static_cast<std::size_t>(k)] = e;
    Eigen::VectorXd xi(1);
    xi(0) = reference_point(e, t(k));
    map.weights.row(k) = basis_.interpolation(xi).row(0);
  }
  return map;
}

Eigen::MatrixXd ElementChain::element_weights(int e,
                                              const Eigen::Ref<const Eigen::VectorXd>& t) const {
  Eigen::VectorXd xi(t.size());
  for (Eigen::Index k = 0; k < t.size(); ++k) xi(k) = reference_point(e, t(k));
  return basis_.interpolation(xi);  // row by row, as sample_map's
}

Eigen::MatrixXd ElementChain::global_interpolation(const Eigen::VectorXd& t) const {
  const SampleMap map = sample_map(t);
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(t.size(), node_count());
  for (Eigen::Index k = 0; k < t.size(); ++k)
    m.row(k).segment(map.element[static_cast<std::size_t>(k)] * p_, p_ + 1) = map.weights.row(k);
  return m;
}

parallel::IndexRange ElementChain::block_elements(int block, int blocks) const {
  return parallel::block_range(static_cast<std::size_t>(elements_), block, blocks);
}

}  // namespace dynlearn::spectral
