#include "dynlearn/spectral/legendre.hpp"

#include <petscdt.h>

#include <string>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/petsc_check.hpp"

namespace dynlearn::spectral {

namespace {

PetscErrorCode eval_legendre(int degree, const Eigen::VectorXd& x, std::vector<PetscReal>& b,
                             std::vector<PetscReal>& d) {
  PetscFunctionBeginUser;
  std::vector<PetscInt> degrees(static_cast<std::size_t>(degree) + 1);
  for (int n = 0; n <= degree; ++n) degrees[static_cast<std::size_t>(n)] = n;
  PetscCall(PetscDTLegendreEval(static_cast<PetscInt>(x.size()), x.data(),
                                static_cast<PetscInt>(degrees.size()), degrees.data(), b.data(),
                                d.data(), nullptr));
  PetscFunctionReturn(0);
}

PetscErrorCode gll(int p, Eigen::VectorXd& nodes, Eigen::VectorXd& weights) {
  PetscFunctionBeginUser;
  PetscCall(PetscDTGaussLobattoLegendreQuadrature(static_cast<PetscInt>(p + 1),
                                                  PETSCGAUSSLOBATTOLEGENDRE_VIA_NEWTON,
                                                  nodes.data(), weights.data()));
  PetscFunctionReturn(0);
}

}  // namespace

LegendreTable legendre_table(int degree, const Eigen::VectorXd& x) {
  if (degree < 0) throw InputError("Legendre degree must be >= 0, got " + std::to_string(degree));
  const std::size_t n = static_cast<std::size_t>(x.size()) * (static_cast<std::size_t>(degree) + 1);
  std::vector<PetscReal> b(n), d(n);
  core::check_petsc(eval_legendre(degree, x, b, d), "PetscDTLegendreEval");
  // PETSc's layout is point-major: b[k * (degree + 1) + n].
  LegendreTable table;
  table.value =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          b.data(), x.size(), degree + 1);
  table.derivative =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          d.data(), x.size(), degree + 1);
  return table;
}

GllRule gauss_lobatto_legendre(int p) {
  if (p < 1) throw InputError("the spectral order p must be >= 1, got " + std::to_string(p));
  GllRule rule;
  rule.nodes.resize(p + 1);
  rule.weights.resize(p + 1);
  core::check_petsc(gll(p, rule.nodes, rule.weights), "PetscDTGaussLobattoLegendreQuadrature");
  return rule;
}

}  // namespace dynlearn::spectral
