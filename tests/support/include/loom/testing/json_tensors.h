// Tensors kept as flat JSON arrays by the reference scripts (PyTorch, ONNX): filling a generated
// model's input from one, and how far a model's output is from one.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <span>
#include <stdexcept>
#include <string>

namespace loom::testing {

/// The JSON document in `path`, read once per process; the error names `writer`, what writes the file.
inline const nlohmann::json &json_file(const std::string &path, const std::string &writer) {
  static std::map<std::string, nlohmann::json> documents;
  auto found = documents.find(path);
  if (found == documents.end()) {
    std::ifstream file(path);
    if (!file)
      throw std::runtime_error("no " + path + ": " + writer + " writes it");
    found = documents.emplace(path, nlohmann::json::parse(file)).first;
  }
  return found->second;
}

/// Copies `values` into `destination`, converted to T; throws when the counts differ.
template <typename T> void fill_from_json(std::span<T> destination, const nlohmann::json &values) {
  if (destination.size() != values.size())
    throw std::runtime_error("the reference has " + std::to_string(values.size()) + " values for a tensor of " +
                             std::to_string(destination.size()));
  for (size_t i = 0; i < destination.size(); ++i)
    destination[i] = T(values[i].get<double>());
}

/// The largest absolute difference between `actual` and `expected`; infinite when the counts differ
/// or a value is not finite.
inline double max_difference(std::span<const float> actual, const nlohmann::json &expected) {
  if (actual.size() != expected.size())
    return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double difference = std::abs(double(actual[i]) - expected[i].get<double>());
    worst = std::isfinite(difference) ? std::max(worst, difference) : INFINITY;
  }
  return worst;
}

} // namespace loom::testing
