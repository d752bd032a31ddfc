# Finds Loom's dependencies, all from Debian 12 packages (scripts/setup.sh installs them).
# Halide 14 and MLIR 14 share one libLLVM-14, so both are found against LLVM 14.

set(LLVM_DIR /usr/lib/llvm-14/lib/cmake/llvm CACHE PATH "LLVM 14 CMake package")
find_package(Halide 14 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Threads REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)

if(LOOM_WITH_MLIR)
  find_package(MLIR REQUIRED CONFIG PATHS /usr/lib/llvm-14/lib/cmake/mlir NO_DEFAULT_PATH)
  # loomc's ONNX import reads ModelProto with libonnx's generated protobuf classes.
  find_package(Protobuf REQUIRED)
  find_package(ONNX REQUIRED)
  set(MLIR_TABLEGEN_EXE /usr/lib/llvm-14/bin/mlir-tblgen)
  list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
  include(TableGen)
  include(AddLLVM)
  include(AddMLIR)
endif()

set(LOOM_LIT /usr/lib/llvm-14/build/utils/lit/lit.py)
set(LOOM_LLVM_TOOLS_DIR /usr/lib/llvm-14/bin)
