#include "dynlearn/parallel/environment.hpp"

#include <petscsys.h>

#include "dynlearn/core/error.hpp"

namespace dynlearn::parallel {

Environment::Environment(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(argc, argv);
  // PETSc's own error printing would interleave with ours; errors come back
  // as codes and are turned into dynlearn errors at the C++ boundary.
  PetscErrorCode ierr = PetscInitializeNoArguments();
  if (ierr) throw NumericalError("PETSc failed to initialise (error code " + std::to_string(ierr) + ")");
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
}

Environment::~Environment() {
  PetscFinalize();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void Environment::insert_petsc_options(const std::string& options) {
  if (options.empty()) return;
  PetscErrorCode ierr = PetscOptionsInsertString(nullptr, options.c_str());
  if (ierr) throw InputError("PETSc rejected the options \"" + options + "\" from the [petsc] table");
}

int rank(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

int size(MPI_Comm comm) {
  int s = 1;
  MPI_Comm_size(comm, &s);
  return s;
}

void broadcast(std::string& text, MPI_Comm comm, int root) {
  unsigned long long n = text.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm);
  text.resize(n);
  if (n > 0) MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, root, comm);
}

}  // namespace dynlearn::parallel
