# loom_add_model_compiler(<name> SOURCES <model.cpp>...): builds loomc-<name>, the model compiler
# for a model file that defines its model with LOOM_MODEL. Running it prints the model's IR
# (--emit=ir), after the pipeline or after every pass (--print-ir-after-all).
function(loom_add_model_compiler name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "loom_add_model_compiler(${name}) needs SOURCES with the model definition")
  endif()
  add_executable(loomc-${name} ${ARG_SOURCES})
  target_link_libraries(loomc-${name} PRIVATE LoomCompilerMain)
endfunction()
