// Import of ONNX models (what torch.onnx.export writes) into Loom's DSL: the graph becomes an
// inference model in the loom dialect, its weights a Loom parameter file.
#pragma once

#include "loom/dsl/Model.h"
#include "loom/runtime/errors.h"
#include "loom/runtime/parameter_file.h"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::importer {

/// Something in the ONNX file that Loom cannot import, with the node or input that has it.
class OnnxError : public Error {
public:
  using Error::Error;
};

struct OnnxOptions {
  /// Static shapes for graph inputs, by ONNX name. Needed for inputs whose ONNX shape has symbolic
  /// sizes (torch.onnx.export's dynamic_axes): Loom's shapes are fixed when a model is compiled.
  std::map<std::string, std::vector<int64_t>> input_shapes;
};

/// One graph input or output and the name the generated class gives it.
struct OnnxBinding {
  std::string onnx_name, loom_name;
};

struct OnnxImport {
  /// The values of the model's parameters (its ONNX initializers, converted to Loom's layouts),
  /// in the order the model declares them: what save_parameters() writes.
  std::vector<NamedTensor> weights;
  std::vector<OnnxBinding> inputs, outputs;
};

/// Records the ONNX model in `path` into `model`. The operators Loom imports are listed by
/// kOnnxOperators; any other one is refused with an OnnxError naming it and its node (every
/// refusal is a loom::Error; a shape with a negative or overflowing size is one from the runtime). Float
/// inputs become inputs, integer ones (token ids) int32 inputs; names that are not C++
/// identifiers are made into ones ("input.1" -> "input_1").
OnnxImport import_onnx(const std::string &path, dsl::Model &model, const OnnxOptions &options = {});

/// The imported operators, comma-separated, for messages and --help.
extern const char *const kOnnxOperators;

} // namespace loom::importer
