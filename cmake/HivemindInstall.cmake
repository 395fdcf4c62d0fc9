# `cmake --install`: headers (the generated version header included), the library
# (static by default, shared with BUILD_SHARED_LIBS), the CMake package
# (find_package(hivemind CONFIG) -> hivemind::hivemind) and a pkg-config file.
# hivectl installs itself from tools/hivectl.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HIVEMIND_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hivemind)

install(TARGETS hivemind EXPORT hivemindTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hivemind ${PROJECT_BINARY_DIR}/include/hivemind
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT hivemindTargets NAMESPACE hivemind:: DESTINATION ${HIVEMIND_CMAKE_DIR})

configure_package_config_file(cmake/hivemindConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hivemindConfig.cmake INSTALL_DESTINATION ${HIVEMIND_CMAKE_DIR})
# 0.x releases may break the API between minor versions.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hivemindConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hivemindConfig.cmake
  ${PROJECT_BINARY_DIR}/hivemindConfigVersion.cmake DESTINATION ${HIVEMIND_CMAKE_DIR})

# Relocatable: the prefix is found from the .pc file's own location (${pcfiledir}).
file(RELATIVE_PATH HIVEMIND_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/hivemind.pc.in ${PROJECT_BINARY_DIR}/hivemind.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hivemind.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
