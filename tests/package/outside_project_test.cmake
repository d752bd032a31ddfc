# cmake -P script run by the test package.OutsideProjectFindsLoomAndRunsItsModel (see CMakeLists.txt):
# installs LOOM_BUILD_DIR under WORK_DIR/prefix, builds CONSUMER_SOURCE_DIR against it in WORK_DIR/build,
# runs its programs and compares each one's output with that of the same sources built in-tree:
# PROGRAMS is a list of <program>=<in-tree executable>. Each folder of LESSONS (the tutorials) is
# built against the prefix the same way and its train_* and infer_* programs run.
foreach(variable LOOM_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR PROGRAMS)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "outside_project_test.cmake needs -D${variable}=...")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${step} failed (${status}):\n${output}")
  endif()
  message(STATUS "${step}: done")
  set(output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run("cmake --install" ${CMAKE_COMMAND} --install ${LOOM_BUILD_DIR} --prefix ${prefix})
foreach(installed lib/cmake/Loom/LoomConfig.cmake lib/cmake/Loom/LoomAddModel.cmake include/loom/dsl/Layers.h
                  include/loom/runtime/tensor.h lib/libloom_runtime.a lib/libloom_halide_runtime.a bin/loom-opt
                  bin/loomc bin/loom_pytorch.py)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "cmake --install did not install ${installed}")
  endif()
endforeach()

# The consumer sees only the prefix: nothing of the source or build tree is on its search paths.
run("configure the outside project" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DLOOM_COMPILE_JOBS=2)
file(STRINGS ${WORK_DIR}/build/CMakeCache.txt loom_dir REGEX "^Loom_DIR:")
if(NOT loom_dir STREQUAL "Loom_DIR:PATH=${prefix}/lib/cmake/Loom")
  message(FATAL_ERROR "the outside project found Loom at '${loom_dir}', not in ${prefix}")
endif()
run("build the outside project" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)

# Every lesson of docs/tutorials is such a project too: it must configure, build and run.
foreach(lesson ${LESSONS})
  get_filename_component(lesson_name ${lesson} NAME)
  set(lesson_build ${WORK_DIR}/lessons/${lesson_name})
  run("configure lesson ${lesson_name}" ${CMAKE_COMMAND} -S ${lesson} -B ${lesson_build} -G Ninja
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DLOOM_COMPILE_JOBS=2)
  run("build lesson ${lesson_name}" ${CMAKE_COMMAND} --build ${lesson_build} -j 2)
  # A lesson that declares tests (enable_testing, add_test) says how it runs; the others run their
  # programs, train_* first.
  if(EXISTS ${lesson_build}/CTestTestfile.cmake)
    run("test lesson ${lesson_name}" ${CMAKE_CTEST_COMMAND} --test-dir ${lesson_build} --output-on-failure)
    continue()
  endif()
  file(GLOB programs LIST_DIRECTORIES false ${lesson_build}/train_* ${lesson_build}/infer_*
                    ${lesson_build}/compare_*)
  foreach(program ${programs})
    execute_process(COMMAND ${program} WORKING_DIRECTORY ${lesson_build} RESULT_VARIABLE status
                    OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "lesson ${lesson_name}: ${program} failed (${status}):\n${output}")
    endif()
  endforeach()
endforeach()

foreach(pair ${PROGRAMS})
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 program)
  list(GET pair 1 reference)
  run("run the outside project's ${program}" ${WORK_DIR}/build/${program})
  set(outside "${output}")
  run("run the in-tree build of ${program}" ${reference})
  if(NOT outside STREQUAL output)
    message(FATAL_ERROR "the outside ${program} printed\n${outside}\nbut the in-tree build printed\n${output}")
  endif()
  message(STATUS "both builds of ${program} printed:\n${outside}")

  # What ships needs only the Halide runtime linked into it, never the compiler's shared libraries.
  run("readelf" readelf --dynamic ${WORK_DIR}/build/${program})
  if(output MATCHES "lib(MLIR|LLVM|Halide)[^ ]*\\.so")
    message(FATAL_ERROR "the outside project's ${program} links ${CMAKE_MATCH_0}:\n${output}")
  endif()
endforeach()
