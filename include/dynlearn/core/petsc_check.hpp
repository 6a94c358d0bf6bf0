// The C++ boundary for PETSc: every PETSc call runs inside a function that
// returns PetscErrorCode and uses PetscCall; check_petsc() turns a non-zero
// code into a dynlearn error carrying PETSc's message.
#pragma once

#include <petscsys.h>

#include <string>

namespace dynlearn::core {

/// Throws NumericalError("<what>: <PETSc's message>") when ierr != 0.
void check_petsc(PetscErrorCode ierr, const std::string& what);

}  // namespace dynlearn::core
