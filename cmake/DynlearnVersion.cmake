# Generates include/dynlearn/core/version.hpp with the version and the git
# revision, recorded in every HDF5 file written.
find_package(Git QUIET)
set(DYNLEARN_GIT_REVISION "unknown")
if(GIT_FOUND AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                  OUTPUT_VARIABLE DYNLEARN_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  if(NOT DYNLEARN_GIT_REVISION)
    set(DYNLEARN_GIT_REVISION "unknown")
  endif()
endif()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/version.hpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/include/dynlearn/core/version.hpp @ONLY)
