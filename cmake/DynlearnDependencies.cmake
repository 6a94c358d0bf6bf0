# Finds every dependency (all from Debian's packages; tools/install-deps.sh
# installs them) and refuses a configuration that would not work.
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(PkgConfig REQUIRED)

# PETSc: Debian puts PETSc.pc under /usr/lib/petsc; PETSC_DIR overrides.
if(DEFINED ENV{PETSC_DIR})
  list(PREPEND CMAKE_PREFIX_PATH $ENV{PETSC_DIR})
endif()
list(APPEND CMAKE_PREFIX_PATH /usr/lib/petsc)
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc>=3.18)

# HDF5 must be the MPI-parallel build: datasets and checkpoints are written
# collectively by all ranks.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "dynlearn needs HDF5 built for MPI (parallel I/O), but found a serial HDF5 "
    "(${HDF5_C_INCLUDE_DIRS}). On Debian: apt-get install libhdf5-openmpi-dev, "
    "or run tools/install-deps.sh; elsewhere set HDF5_ROOT to a parallel build.")
endif()
add_library(dynlearn_hdf5 INTERFACE)
target_include_directories(dynlearn_hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_link_libraries(dynlearn_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
target_compile_definitions(dynlearn_hdf5 INTERFACE ${HDF5_C_DEFINITIONS})

# toml++ is header-only; only src/io includes it, and one file compiles its implementation.
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
add_library(dynlearn_toml INTERFACE)
target_include_directories(dynlearn_toml INTERFACE ${TOMLPP_INCLUDE_DIR})
