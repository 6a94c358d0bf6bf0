// GoogleTest driver for unit and MPI tests: one Environment (MPI + PETSc)
// around all tests; only rank 0 prints GoogleTest's report.
#include <gtest/gtest.h>

#include "dynlearn/parallel/environment.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  dynlearn::parallel::Environment env(&argc, &argv);
  if (dynlearn::parallel::rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  return RUN_ALL_TESTS();
}
