# Installs the library, headers, executable and a CMake package so that
# find_package(dynlearn) works for people who embed the library.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS dynlearn dynlearn_hdf5 dynlearn_toml EXPORT dynlearnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS dynlearn_exe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/dynlearn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/include/dynlearn
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT dynlearnTargets NAMESPACE dynlearn::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dynlearn)
configure_package_config_file(cmake/dynlearnConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/dynlearnConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dynlearn)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/dynlearnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/dynlearnConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/dynlearnConfigVersion.cmake
              cmake/DynlearnDependencies.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dynlearn)
