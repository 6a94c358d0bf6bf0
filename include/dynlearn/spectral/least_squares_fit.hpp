// Step 0 of SNet (snet.txt): the nodal values of a spectral-element chain
// that best fit a trajectory's samples, min Σ_k |x(t_k) - y_k|² + λ |x|²,
// solved with a PETSc KSP on the normal equations.
#pragma once

#include <Eigen/Dense>

#include "dynlearn/spectral/element_chain.hpp"

namespace dynlearn::spectral {

/// Nodal values (state_dim x chain.node_count()) minimising
/// sum_k |x(t_k) - y.col(k)|² + ridge |x|²: the normal equations solved with
/// a PETSc KSP (PREONLY + Cholesky on a sequential dense matrix, on
/// PETSC_COMM_SELF: each rank fits its own trajectories, so the result does
/// not depend on the process grid). NumericalError naming [snet] fit_ridge
/// when the samples do not determine every nodal value and ridge = 0.
Eigen::MatrixXd least_squares_fit(const ElementChain& chain, const Eigen::VectorXd& t,
                                  const Eigen::MatrixXd& y, double ridge);

}  // namespace dynlearn::spectral
