#include "dynlearn/core/petsc_check.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::core {

void check_petsc(PetscErrorCode ierr, const std::string& what) {
  if (ierr == 0) return;
  const char* text = nullptr;
  PetscErrorMessage(ierr, &text, nullptr);
  throw NumericalError(what + ": PETSc error " + std::to_string(ierr) + (text ? std::string(" (") + text + ")" : ""));
}

}  // namespace dynlearn::core
