#include "dynlearn/spectral/least_squares_fit.hpp"

#include <petscksp.h>

#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/petsc_check.hpp"

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

Eigen::MatrixXd least_squares_fit(const ElementChain& chain, const Eigen::VectorXd& t,
                                  const Eigen::MatrixXd& y, double ridge) {
  if (ridge == 0.0 && t.size() < chain.node_count())
    throw NumericalError("the least-squares fit of the SNet coefficients is underdetermined (" +
                         std::to_string(t.size()) + " samples for " +
                         std::to_string(chain.node_count()) +
                         " nodal values): use fewer [snet] elements or a lower [snet] p, or set "
                         "[snet] fit_ridge > 0");
  const Eigen::MatrixXd a = chain.global_interpolation(t);
  Eigen::MatrixXd normal = a.transpose() * a;
  normal.diagonal().array() += ridge;
  const Eigen::MatrixXd rhs = a.transpose() * y.transpose();
  // A node no sample informs leaves a zero row: Cholesky would stop on it.
  for (Eigen::Index i = 0; i < normal.rows(); ++i)
    if (!(normal(i, i) > 0.0))
      throw NumericalError(
          "the least-squares fit of the SNet coefficients is singular (node " + std::to_string(i) +
          " has no sample nearby): use fewer [snet] elements or a lower [snet] p, or set [snet] "
          "fit_ridge > 0");
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
