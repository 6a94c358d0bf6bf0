#include "dynlearn/spectral/lagrange_basis.hpp"

#include <utility>

#include "dynlearn/core/error.hpp"

namespace dynlearn::spectral {

LagrangeBasis::LagrangeBasis(Eigen::VectorXd nodes) : nodes_(std::move(nodes)) {
  const Eigen::Index n = nodes_.size();
  if (n < 1) throw InputError("a Lagrange basis needs at least one node");
  weights_.setOnes(n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      if (i != j) {
        const double diff = nodes_(i) - nodes_(j);
        if (diff == 0.0) throw InputError("Lagrange basis nodes must be distinct");
        weights_(i) /= diff;
      }
}

Eigen::MatrixXd LagrangeBasis::interpolation(const Eigen::VectorXd& x) const {
  const Eigen::Index n = nodes_.size();
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(x.size(), n);
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    Eigen::Index exact = -1;
    for (Eigen::Index i = 0; i < n; ++i)
      if (x(k) == nodes_(i)) exact = i;
    if (exact >= 0) {  // the barycentric formula is 0/0 at a node
      m(k, exact) = 1.0;
      continue;
    }
    double denominator = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      m(k, i) = weights_(i) / (x(k) - nodes_(i));
      denominator += m(k, i);
    }
    m.row(k) /= denominator;
  }
  return m;
}

Eigen::MatrixXd LagrangeBasis::differentiation() const {
  const Eigen::Index n = nodes_.size();
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index q = 0; q < n; ++q) {
    for (Eigen::Index i = 0; i < n; ++i)
      if (i != q) d(q, i) = weights_(i) / weights_(q) / (nodes_(q) - nodes_(i));
    // Rows sum to zero (constants have zero derivative): the "negative sum
    // trick" keeps that exact in floating point and improves accuracy.
    d(q, q) = -(d.row(q).sum());
  }
  return d;
}

}  // namespace dynlearn::spectral
