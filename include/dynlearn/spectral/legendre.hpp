// Legendre polynomials and the Gauss-Lobatto-Legendre (GLL) rule on [-1, 1]:
// the collocation nodes of SNet's spectral elements. Nodes and weights come
// from PETSc's petscdt.h (Newton iteration on (1 - x^2) P_p'(x)); the unit
// tests check them against closed forms.
#pragma once

#include <Eigen/Dense>

namespace dynlearn::spectral {

/// Values (and first derivatives) of P_0 .. P_degree at the points x:
/// points x (degree + 1), entry (k, n) = P_n(x_k).
struct LegendreTable {
  Eigen::MatrixXd value;
  Eigen::MatrixXd derivative;
};
LegendreTable legendre_table(int degree, const Eigen::VectorXd& x);

/// The p + 1 GLL nodes (ascending, -1 and 1 included) and weights, exact for
/// polynomials of degree <= 2p - 1. p >= 1.
struct GllRule {
  Eigen::VectorXd nodes;
  Eigen::VectorXd weights;
};
GllRule gauss_lobatto_legendre(int p);

}  // namespace dynlearn::spectral
