#include "dynlearn/spectral/least_squares_fit.hpp"

#include <petscksp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/petsc_check.hpp"
#include "dynlearn/spectral/legendre.hpp"

namespace dynlearn::spectral {

namespace {

// RAII owners of the PETSc objects of one solve.
struct PetscMat {
  Mat m = nullptr;
  ~PetscMat() {
    if (m) MatDestroy(&m);
  }
};
struct PetscVec {
  Vec v = nullptr;
  ~PetscVec() {
    if (v) VecDestroy(&v);
  }
};
struct PetscKsp {
  KSP k = nullptr;
  ~PetscKsp() {
    if (k) KSPDestroy(&k);
  }
};

// Solves N X = B column by column (N symmetric positive definite, dense).
PetscErrorCode solve_normal_equations(const Eigen::MatrixXd& n, const Eigen::MatrixXd& b,
                                      Eigen::MatrixXd& x, KSPConvergedReason& reason) {
  PetscFunctionBeginUser;
  const PetscInt size = static_cast<PetscInt>(n.rows());
  PetscMat a;
  // MatCreateSeqDense takes column-major storage, Eigen's layout; PETSc copies nothing, so keep
  // `copy` alive.
  Eigen::MatrixXd copy = n;
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, size, size, copy.data(), &a.m));
  PetscCall(MatSetOption(a.m, MAT_SPD, PETSC_TRUE));
  PetscKsp ksp;
  PetscCall(KSPCreate(PETSC_COMM_SELF, &ksp.k));
  PetscCall(KSPSetOperators(ksp.k, a.m, a.m));
  PetscCall(KSPSetType(ksp.k, KSPPREONLY));
  PC pc;
  PetscCall(KSPGetPC(ksp.k, &pc));
  PetscCall(PCSetType(pc, PCCHOLESKY));
  PetscCall(KSPSetErrorIfNotConverged(ksp.k, PETSC_FALSE));
  PetscCall(KSPSetUp(ksp.k));
  PetscVec rhs, sol;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, size, &rhs.v));
  PetscCall(VecDuplicate(rhs.v, &sol.v));
  x.resize(n.rows(), b.cols());
  for (Eigen::Index c = 0; c < b.cols(); ++c) {
    PetscScalar* data = nullptr;
    PetscCall(VecGetArray(rhs.v, &data));
    for (PetscInt i = 0; i < size; ++i) data[i] = b(i, c);
    PetscCall(VecRestoreArray(rhs.v, &data));
    PetscCall(KSPSolve(ksp.k, rhs.v, sol.v));
    PetscCall(KSPGetConvergedReason(ksp.k, &reason));
    if (reason < 0) PetscFunctionReturn(0);
    const PetscScalar* out = nullptr;
    PetscCall(VecGetArrayRead(sol.v, &out));
    for (PetscInt i = 0; i < size; ++i) x(i, c) = out[i];
    PetscCall(VecRestoreArrayRead(sol.v, &out));
  }
  PetscFunctionReturn(0);
}

}  // namespace

Eigen::MatrixXd curvature_penalty(const ElementChain& chain) {
  const int p = chain.order();
  const GllRule rule = gauss_lobatto_legendre(p);
  // x'' at an element's nodes is D² times its nodal values (D already
  // carries the 2 / h of the element map); dt = (h / 2) dξ scales the weights.
  const Eigen::MatrixXd second = chain.derivative() * chain.derivative();
  const Eigen::VectorXd w = rule.weights * (0.5 * chain.element_length());
  const Eigen::MatrixXd element = second.transpose() * w.asDiagonal() * second;
  Eigen::MatrixXd k = Eigen::MatrixXd::Zero(chain.node_count(), chain.node_count());
  for (int e = 0; e < chain.elements(); ++e) k.block(e * p, e * p, p + 1, p + 1) += element;
  return k;
}

Eigen::MatrixXd least_squares_fit(const ElementChain& chain, const Eigen::VectorXd& t,
                                  const Eigen::MatrixXd& y, double ridge, double smoothing) {
  if (!(ridge >= 0.0) || !std::isfinite(ridge))
    throw InputError("[snet] fit_ridge must be finite and >= 0, got " + std::to_string(ridge));
  if (!(smoothing >= 0.0) || !std::isfinite(smoothing))
    throw InputError("[snet] fit_smoothing must be finite and >= 0, got " +
                     std::to_string(smoothing));
  if (ridge == 0.0 && smoothing == 0.0 && t.size() < chain.node_count())
    throw NumericalError("the least-squares fit of the SNet coefficients is underdetermined (" +
                         std::to_string(t.size()) + " samples for " +
                         std::to_string(chain.node_count()) +
                         " nodal values): use fewer [snet] elements or a lower [snet] p, or set "
                         "[snet] fit_ridge > 0 or [snet] fit_smoothing > 0");
  const Eigen::MatrixXd a = chain.global_interpolation(t);
  Eigen::MatrixXd normal = a.transpose() * a;
  normal.diagonal().array() += ridge;
  if (smoothing > 0.0) {
    normal += smoothing * curvature_penalty(chain);
    // The penalty leaves the continuous piecewise-linear functions (one hat
    // per element interface) free: without a ridge the samples must
    // determine those, else the normal matrix is singular and Cholesky may
    // not notice (a rounding-sized pivot instead of a zero one).
    if (ridge == 0.0) {
      const int n = chain.elements() + 1;
      Eigen::MatrixXd hats = Eigen::MatrixXd::Zero(chain.node_count(), n);
      const double h = chain.element_length();
      for (int k = 0; k < chain.node_count(); ++k) {
        const double s = (chain.node_time(k) - chain.t0()) / h;
        const int e = std::min(static_cast<int>(s), chain.elements() - 1);
        hats(k, e) = static_cast<double>(e + 1) - s;
        hats(k, e + 1) = s - static_cast<double>(e);
      }
      const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a * hats);
      if (qr.rank() < n)
        throw NumericalError(
            "the smoothed least-squares fit of the SNet coefficients is underdetermined (" +
            std::to_string(t.size()) +
            " samples do not determine the piecewise-linear trend over " +
            std::to_string(chain.elements()) +
            " elements): use fewer [snet] elements, or set [snet] fit_ridge > 0");
    }
  } else {
    // A node no sample informs leaves a zero row: Cholesky would stop on it.
    for (Eigen::Index i = 0; i < normal.rows(); ++i)
      if (!(normal(i, i) > 0.0))
        throw NumericalError("the least-squares fit of the SNet coefficients is singular (node " +
                             std::to_string(i) +
                             " has no sample nearby): use fewer [snet] elements or a lower [snet] "
                             "p, or set [snet] fit_ridge > 0 or [snet] fit_smoothing > 0");
  }
  const Eigen::MatrixXd rhs = a.transpose() * y.transpose();
  Eigen::MatrixXd x;
  KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
  PetscErrorCode ierr = solve_normal_equations(normal, rhs, x, reason);
  if (ierr != 0 || reason < 0)
    throw NumericalError(
        "the least-squares fit of the SNet coefficients failed (the samples do not determine "
        "every nodal value): use fewer [snet] elements or a lower [snet] p, or set [snet] "
        "fit_ridge > 0");
  return x.transpose();
}

}  // namespace dynlearn::spectral
