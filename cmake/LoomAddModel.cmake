# Building models with Loom.
#
#   loom_add_model(<name> SOURCES <model.cpp>... [TARGETS <halide-target>...])
#   loom_add_model(<name> COMPILER loomc-<other> [TARGETS <halide-target>...])
#   loom_add_model(<name> MLIR <model.mlir> [TARGETS <halide-target>...])
#   loom_add_model(<name> ONNX <model.onnx> [SHAPES <input>=<D0>x<D1>...] [TARGETS <halide-target>...])
#     Compiles the model that SOURCES define with LOOM_MODEL(<name>, model) into the static library
#     target <name>: its kernels ahead of time, plus the generated class loom::models::<name> in
#     "<name>.h". Link it into your train and infer programs. TARGETS defaults to LOOM_CPU_TARGETS
#     (AVX-512, then AVX2, chosen at run time); the library needs only Loom's runtime and the one
#     Halide runtime, never MLIR, LLVM or libHalide. With COMPILER, the model is taken from an
#     existing model compiler (one loomc built from a file that defines several models, which links
#     once instead of once per model). With MLIR, loomc compiles a model given as a loom-dialect
#     module (as `loomc-<model> --no-passes` prints it, or an importer writes it). With ONNX, loomc
#     imports an ONNX model for inference (SHAPES fixes the sizes of inputs with dynamic axes) and
#     writes its weights next to the library; the target's LOOM_PARAMETERS property is their path,
#     for load_parameters(). loomc compiles the kernels in one worker process per CPU core; set
#     LOOM_COMPILE_JOBS to limit that for every model.
#
#   loom_add_model_compiler(<name> SOURCES <model.cpp>...)
#     Only builds loomc-<name>, the model's compiler: it prints the model's IR (--emit=ir), after the
#     pipeline or after every pass (--print-ir-after-all), or writes its library (--emit=library).

set(LOOM_COMPILE_JOBS 0 CACHE STRING
  "Kernels each loomc compiles at once, in worker processes (0: one per CPU core)")

function(loom_add_model_compiler name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "loom_add_model_compiler(${name}) needs SOURCES with the model definition")
  endif()
  add_executable(loomc-${name} ${ARG_SOURCES})
  target_link_libraries(loomc-${name} PRIVATE Loom::CompilerMain)
endfunction()

function(loom_add_model name)
  cmake_parse_arguments(ARG "" "COMPILER;MLIR;ONNX" "SOURCES;TARGETS;SHAPES" ${ARGN})
  set(given 0)
  foreach(source SOURCES COMPILER MLIR ONNX)
    if(ARG_${source})
      math(EXPR given "${given} + 1")
    endif()
  endforeach()
  if(NOT given EQUAL 1)
    message(FATAL_ERROR "loom_add_model(${name}) takes one of SOURCES, COMPILER, MLIR or ONNX")
  endif()
  if(ARG_SHAPES AND NOT ARG_ONNX)
    message(FATAL_ERROR "loom_add_model(${name}): SHAPES is for ONNX models")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}_generated)
  set(extra_outputs "")
  if(ARG_MLIR OR ARG_ONNX)
    # loomc compiles the file; Loom's own build has the target, an installed Loom the imported one.
    get_filename_component(input "${ARG_MLIR}${ARG_ONNX}" ABSOLUTE)
    if(TARGET loomc)
      set(compiler loomc)
      set(compiler_depends loomc ${input})
    else()
      set(compiler Loom::loomc)
      set(compiler_depends $<TARGET_FILE:Loom::loomc> ${input})
    endif()
    set(compiler_arguments ${input} --name=${name})
    foreach(shape IN LISTS ARG_SHAPES)
      list(APPEND compiler_arguments --shape=${shape})
    endforeach()
    if(ARG_ONNX)
      set(extra_outputs ${dir}/${name}.params)
    endif()
  elseif(ARG_COMPILER)
    set(compiler ${ARG_COMPILER})
    set(compiler_depends ${compiler})
    set(compiler_arguments --model=${name})
  else()
    loom_add_model_compiler(${name} SOURCES ${ARG_SOURCES})
    set(compiler loomc-${name})
    set(compiler_depends ${compiler})
    set(compiler_arguments --model=${name})
  endif()
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS ${LOOM_CPU_TARGETS})
  endif()
  set(target_flags "")
  foreach(target IN LISTS ARG_TARGETS)
    list(APPEND target_flags --target=${target})
  endforeach()
  list(APPEND target_flags --jobs=${LOOM_COMPILE_JOBS})
  file(MAKE_DIRECTORY ${dir})
  add_custom_command(
    OUTPUT ${dir}/${name}.h ${dir}/${name}.cpp ${dir}/${name}_kernels.a ${dir}/${name}_kernels.h ${extra_outputs}
    COMMAND ${compiler} ${compiler_arguments} --emit=library ${target_flags} -o ${dir}
    DEPENDS ${compiler_depends}
    COMMENT "Compiling model ${name} with Loom"
    VERBATIM)
  add_custom_target(${name}_generate DEPENDS ${dir}/${name}_kernels.a)
  add_library(${name}_kernels STATIC IMPORTED GLOBAL)
  set_target_properties(${name}_kernels PROPERTIES IMPORTED_LOCATION ${dir}/${name}_kernels.a)
  add_dependencies(${name}_kernels ${name}_generate)

  add_library(${name} STATIC ${dir}/${name}.cpp)
  target_include_directories(${name} PUBLIC ${dir})
  target_link_libraries(${name} PUBLIC Loom::runtime PRIVATE ${name}_kernels Loom::halide_runtime)
  if(ARG_ONNX)
    set_target_properties(${name} PROPERTIES LOOM_PARAMETERS ${dir}/${name}.params)
  endif()
endfunction()
