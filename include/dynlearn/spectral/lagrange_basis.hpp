// The Lagrange (nodal) basis on a set of distinct nodes, in barycentric form
// (Berrut & Trefethen 2004): interpolation to any points and the
// differentiation matrix, both stable for the GLL nodes at any order.
#pragma once

#include <Eigen/Dense>

namespace dynlearn::spectral {

class LagrangeBasis {
 public:
  /// Distinct nodes (any order).
  explicit LagrangeBasis(Eigen::VectorXd nodes);

  Eigen::Index size() const { return nodes_.size(); }
  const Eigen::VectorXd& nodes() const { return nodes_; }

  /// Row k holds l_0(x_k) .. l_p(x_k): interpolated values = matrix * nodal values.
  Eigen::MatrixXd interpolation(const Eigen::VectorXd& x) const;
  /// D(q, i) = l_i'(node_q): nodal derivative values = D * nodal values;
  /// exact for polynomials of degree <= p.
  Eigen::MatrixXd differentiation() const;

 private:
  Eigen::VectorXd nodes_;
  Eigen::VectorXd weights_;  // barycentric weights 1 / prod_{j != i} (x_i - x_j)
};

}  // namespace dynlearn::spectral
