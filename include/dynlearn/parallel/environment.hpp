// The process-wide MPI and PETSc life cycle. Exactly one Environment lives in
// main() (the dynlearn executable and the test drivers); it initialises MPI,
// then PETSc on MPI_COMM_WORLD, and finalises both in reverse order.
#pragma once

#include <mpi.h>

#include <string>

namespace dynlearn::parallel {

class Environment {
 public:
  /// argc/argv are not passed to PETSc: PETSc options come from the deck's
  /// [petsc] table or the PETSC_OPTIONS environment variable.
  Environment(int* argc, char*** argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  /// Adds options to PETSc's database (as on a PETSc command line).
  static void insert_petsc_options(const std::string& options);
};

/// Rank and size of a communicator, for brevity at call sites.
int rank(MPI_Comm comm = MPI_COMM_WORLD);
int size(MPI_Comm comm = MPI_COMM_WORLD);

/// Broadcasts a string from `root` to every rank of `comm`.
void broadcast(std::string& text, MPI_Comm comm, int root = 0);

}  // namespace dynlearn::parallel
