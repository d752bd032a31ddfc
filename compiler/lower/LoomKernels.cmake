# CMake functions that run loom-kernelgen at build time. Each gives an imported static library target;
# none of the results needs libHalide at run time, only the one Halide runtime they link.
#
#   loom_add_halide_runtime(<name> TARGETS <target>...)
#     The Halide runtime as a static library, built for the common subset of the targets' features.
#     Link every kernel library of a program against the same one.
#
#   loom_add_kernel_library(<name> KERNELS <spec>... [TARGETS <target>...] [RUNTIME <runtime>])
#     Compiles the kernels into <name>.a with header <name>.h (include "<name>.h"), every function built
#     for each target (widest first) and dispatching at run time. A spec is
#     <function>=<builder>:<size>=<value>,... (loom-kernelgen --help lists the builders).
#     TARGETS defaults to LOOM_CPU_TARGETS, RUNTIME to loom_halide_runtime.

set(LOOM_CPU_TARGETS
  "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41;x86-64-linux-avx-avx2-f16c-fma-sse41"
  CACHE STRING "Halide targets of Loom's CPU kernel libraries, widest first (runtime dispatch picks one)")

function(loom_add_halide_runtime name)
  cmake_parse_arguments(ARG "" "" "TARGETS" ${ARGN})
  if(NOT ARG_TARGETS)
    message(FATAL_ERROR "loom_add_halide_runtime(${name}) needs TARGETS")
  endif()
  list(JOIN ARG_TARGETS "," targets)
  set(archive ${CMAKE_CURRENT_BINARY_DIR}/${name}/lib${name}.a)
  add_custom_command(
    OUTPUT ${archive}
    COMMAND loom-kernelgen --targets ${targets} --runtime ${archive}
    DEPENDS loom-kernelgen
    COMMENT "Compiling the Halide runtime ${name}"
    VERBATIM)
  add_custom_target(${name}_generate DEPENDS ${archive})
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES IMPORTED_LOCATION ${archive})
  target_link_libraries(${name} INTERFACE Halide::Runtime Threads::Threads ${CMAKE_DL_LIBS})
  add_dependencies(${name} ${name}_generate)
endfunction()

function(loom_add_kernel_library name)
  cmake_parse_arguments(ARG "" "RUNTIME" "KERNELS;TARGETS" ${ARGN})
  if(NOT ARG_KERNELS)
    message(FATAL_ERROR "loom_add_kernel_library(${name}) needs KERNELS")
  endif()
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS ${LOOM_CPU_TARGETS})
  endif()
  if(NOT ARG_RUNTIME)
    set(ARG_RUNTIME loom_halide_runtime)
  endif()
  list(JOIN ARG_TARGETS "," targets)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name})
  # Imported targets must name include directories that exist when CMake generates the build.
  file(MAKE_DIRECTORY ${dir})
  add_custom_command(
    OUTPUT ${dir}/${name}.a ${dir}/${name}.h
    COMMAND loom-kernelgen --targets ${targets} --output-dir ${dir} --library ${name} ${ARG_KERNELS}
    DEPENDS loom-kernelgen
    COMMENT "Compiling Halide kernels of ${name}"
    VERBATIM)
  add_custom_target(${name}_generate DEPENDS ${dir}/${name}.a ${dir}/${name}.h)
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES IMPORTED_LOCATION ${dir}/${name}.a INTERFACE_INCLUDE_DIRECTORIES ${dir})
  target_link_libraries(${name} INTERFACE ${ARG_RUNTIME})
  add_dependencies(${name} ${name}_generate)
endfunction()
