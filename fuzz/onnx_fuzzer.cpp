// Fuzzes loomc's ONNX import: any bytes as a .onnx file are imported into a model or refused with
// loom::importer::OnnxError (a loom::Error); a crash, a sanitizer report or another exception is a
// finding. The seeds in fuzz/corpus/onnx are the models tests/onnx/make_models.py writes.
#include "OnnxImport.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace loom;
  const auto path = fuzz::scratch() / "input.onnx";
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  fuzz::refusals_are_loom_errors([&] {
    dsl::Model model("fuzz");
    importer::import_onnx(path.string(), model);
  });
  return 0;
}
