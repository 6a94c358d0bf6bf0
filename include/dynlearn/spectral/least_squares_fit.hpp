// Step 0 of SNet (snet.txt): the nodal values of a spectral-element chain
// that best fit a trajectory's samples,
//   min Σ_k |x(t_k) - y_k|² + λ_r |x|² + λ_s Σ_e ∫_e |x''(t)|² dt,
// solved with a PETSc KSP on the normal equations. The curvature penalty
// λ_s is the low-data option: with few, randomly placed samples the plain
// fit of p + 1 nodal values per element oscillates between distant samples
// (the paper asks for "a more specific Legendre interpolation of the data"),
// and the penalty picks the least curved interpolant instead, like a
// smoothing spline, while leaving straight lines unpenalised.
#pragma once

#include <Eigen/Dense>

#include "dynlearn/spectral/element_chain.hpp"

namespace dynlearn::spectral {

/// Nodal values (state_dim x chain.node_count()) minimising
/// sum_k |x(t_k) - y.col(k)|² + ridge |x|² + smoothing Σ_e ∫_e |x''|² dt:
/// the normal equations solved with a PETSc KSP (PREONLY + Cholesky on a
/// sequential dense matrix, on PETSC_COMM_SELF: each rank fits its own
/// trajectories, so the result does not depend on the process grid).
/// InputError for a negative or non-finite ridge or smoothing.
/// NumericalError naming [snet] fit_ridge / fit_smoothing when ridge = 0 and
/// the samples do not determine the fit: every nodal value when
/// smoothing = 0, the continuous piecewise-linear part (which the curvature
/// penalty leaves free) when smoothing > 0.
Eigen::MatrixXd least_squares_fit(const ElementChain& chain, const Eigen::VectorXd& t,
                                  const Eigen::MatrixXd& y, double ridge, double smoothing = 0.0);

/// The curvature penalty Σ_e ∫_e |x''(t)|² dt as the quadratic form
/// xᵀ K x over the chain's node_count() nodal values of one state component
/// (symmetric positive semidefinite; its null space is the continuous
/// piecewise-linear functions). Exact: on each element x'' = D² x has
/// degree p - 2, so |x''|² (degree 2p - 4) is integrated exactly by the
/// element's GLL rule.
Eigen::MatrixXd curvature_penalty(const ElementChain& chain);

}  // namespace dynlearn::spectral
