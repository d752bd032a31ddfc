# `cmake --install build --prefix <prefix>` puts an installed Loom under <prefix>:
#   bin/loomc, bin/loom-opt             the compiler of .mlir models and the loom dialect's opt tool
#   bin/loom_pytorch.py                 writes a PyTorch model's weights as a Loom parameter file
#   include/loom/{runtime,dsl}/         the headers of the runtime and of the model DSL
#   lib/                                the runtime, the DSL, the compiler's libraries (linked into each
#                                       model's loomc) and the Halide runtime the kernels share
#   lib/cmake/Loom/                     the CMake package: find_package(Loom) gives loom_add_model()
#                                       and the targets Loom::runtime, Loom::halide_runtime, Loom::dsl,
#                                       Loom::CompilerMain, Loom::loomc and Loom::loom-opt
# The compiler's own headers stay private: users compile model definitions against the DSL's.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(LOOM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Loom)
set(targets loom_runtime)
if(LOOM_WITH_MLIR)
  list(APPEND targets LoomDSL LoomIR LoomTransforms LoomToHalide loom_kernels LoomCodegen LoomDriver
                      LoomCompilerMain loom-opt loomc)
endif()
install(TARGETS ${targets} EXPORT LoomTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY runtime/include/loom/runtime DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/loom)
if(LOOM_WITH_MLIR)
  install(DIRECTORY dsl/include/loom/dsl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/loom)
endif()
install(PROGRAMS tools/loom_pytorch.py DESTINATION ${CMAKE_INSTALL_BINDIR})
# The Halide runtime is an imported target (loom-kernelgen writes it at build time), so it is installed
# as a file and LoomConfig.cmake declares it again.
install(FILES $<TARGET_FILE:loom_halide_runtime> DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT LoomTargets NAMESPACE Loom:: DESTINATION ${LOOM_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/LoomConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/LoomConfig.cmake
                              INSTALL_DESTINATION ${LOOM_INSTALL_CMAKEDIR}
                              PATH_VARS CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/LoomConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/LoomConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/LoomConfigVersion.cmake
              cmake/LoomAddModel.cmake
        DESTINATION ${LOOM_INSTALL_CMAKEDIR})
