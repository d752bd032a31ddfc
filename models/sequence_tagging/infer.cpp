// Shows a trained sequence_tagging model the way Keras users know it: the SimpleRNN layer's kernel,
// recurrent_kernel and bias, then every sentence's tags with their probabilities, and that the
// layer's returned final state is its last per-step output.
#include "sentences.h"

#include "loom/runtime/parameter_file.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

/// Prints `values` (row-major [rows, cols]) as a matrix under `title`.
void print_matrix(const std::string &title, const std::vector<float> &values, int64_t rows, int64_t cols) {
  std::printf("  %s\n", title.c_str());
  for (int64_t r = 0; r < rows; ++r) {
    std::printf("    [");
    for (int64_t c = 0; c < cols; ++c)
      std::printf(" %8.4f", values[size_t(r * cols + c)]);
    std::printf(" ]\n");
  }
}

/// The SimpleRNN's parameters in Keras's layout: kernel [input, units], recurrent_kernel
/// [units, units] and one bias [units]. Loom keeps PyTorch's: weight_ih [units, input], weight_hh
/// [units, units], bias_ih and bias_hh [units].
struct KerasSimpleRNN {
  int64_t inputs, units;
  std::vector<float> kernel, recurrent_kernel, bias;

  explicit KerasSimpleRNN(const loom::ParameterSet &parameters) {
    const loom::Tensor &weight_ih = parameters.get("rnn.weight_ih"), &weight_hh = parameters.get("rnn.weight_hh");
    const loom::Tensor &bias_ih = parameters.get("rnn.bias_ih"), &bias_hh = parameters.get("rnn.bias_hh");
    units = weight_ih.shape[0];
    inputs = weight_ih.shape[1];
    kernel.resize(size_t(inputs * units));
    recurrent_kernel.resize(size_t(units * units));
    bias.resize(size_t(units));
    for (int64_t u = 0; u < units; ++u) {
      for (int64_t i = 0; i < inputs; ++i)
        kernel[size_t(i * units + u)] = weight_ih.at(u, i);
      for (int64_t v = 0; v < units; ++v)
        recurrent_kernel[size_t(v * units + u)] = weight_hh.at(u, v);
      bias[size_t(u)] = bias_ih.at(u) + bias_hh.at(u);
    }
  }

  void print() const {
    std::printf("SimpleRNN(%lld) 'rnn', as Keras shows it (rows of kernel: John, loves, Jane):\n",
                (long long)units);
    print_matrix("kernel [" + std::to_string(inputs) + ", " + std::to_string(units) + "] (weight_ih transposed)",
                 kernel, inputs, units);
    print_matrix("recurrent_kernel [" + std::to_string(units) + ", " + std::to_string(units) +
                     "] (weight_hh transposed)",
                 recurrent_kernel, units, units);
    print_matrix("bias [" + std::to_string(units) + "] (bias_ih + bias_hh)", bias, 1, units);
  }

  /// Keras's formula over one-hot words, h_t = tanh(x_t kernel + h_{t-1} recurrent_kernel + bias):
  /// the final state, to check the layout against the compiled model.
  std::vector<float> final_state(std::span<const int32_t> word_ids) const {
    std::vector<float> h(size_t(units), 0.0f);
    std::vector<float> next(size_t(units), 0.0f);
    for (int32_t word : word_ids) {
      for (int64_t u = 0; u < units; ++u) {
        float sum = kernel[size_t(word * units + u)] + bias[size_t(u)];
        for (int64_t v = 0; v < units; ++v)
          sum += h[size_t(v)] * recurrent_kernel[size_t(v * units + u)];
        next[size_t(u)] = std::tanh(sum);
      }
      h.swap(next);
    }
    return h;
  }
};

void print_vector(std::span<const float> values) {
  std::printf("[");
  for (float value : values)
    std::printf(" %9.6f", value);
  std::printf(" ]");
}

} // namespace

int main(int argc, char **argv) {
  std::string checkpoint = "sequence_tagging.checkpoint";
  int64_t top = tagging::kTags;
  std::vector<std::string> texts = tagging::kTrainingSentences;
  CLI::App app{"Tags sentences of John, loves and Jane with a trained SimpleRNN(3) and shows its parameters.",
               "infer_sequence_tagging"};
  app.add_option("--checkpoint", checkpoint, "checkpoint or parameter file written by train_sequence_tagging")
      ->capture_default_str();
  app.add_option("--top-k", top, "tags to show per word, with probabilities")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("sentences", texts, "three-word sentences to tag")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    std::vector<tagging::Sentence> sentences;
    for (const std::string &text : texts)
      sentences.push_back(tagging::parse(text));
    tagging::Model model;
    model.load_parameters(checkpoint);
    const KerasSimpleRNN keras(loom::load_parameters(checkpoint));
    keras.print();

    for (size_t first = 0; first < sentences.size(); first += size_t(tagging::kSentences)) {
      std::span<const tagging::Sentence> batch =
          std::span(sentences).subspan(first, std::min(sentences.size() - first, size_t(tagging::kSentences)));
      tagging::fill(model, batch);
      model.forward();
      for (int64_t b = 0; b < int64_t(batch.size()); ++b) {
        const tagging::Sentence &sentence = batch[size_t(b)];
        std::printf("\"%s\" -> %s\n", sentence.text.c_str(), tagging::predicted_tags(model, b).c_str());
        for (int64_t t = 0; t < tagging::kWords; ++t) {
          std::printf("  %-6s", std::string(tagging::kVocabulary[size_t(sentence.ids[size_t(t)])]).c_str());
          std::vector<float> probabilities = loom::softmax(tagging::tag_logits(model, t, b));
          for (const loom::ClassScore &score : loom::top_k(probabilities, top))
            std::printf("  %s %6.2f%%", std::string(tagging::kTagNames[size_t(score.index)]).c_str(),
                        100.0 * score.score);
          std::printf("\n");
        }
        std::printf("  final state       ");
        print_vector(model.final_state().subspan(size_t(b * tagging::kUnits), size_t(tagging::kUnits)));
        std::printf("\n  last step output  ");
        print_vector(model.states().subspan(
            size_t(((tagging::kWords - 1) * tagging::kSentences + b) * tagging::kUnits), size_t(tagging::kUnits)));
        std::printf("\n  final state == last step output: %s\n",
                    tagging::state_is_last_output(model, b) ? "yes" : "no");
        std::vector<float> by_keras = keras.final_state(sentence.ids);
        float difference = 0;
        for (int64_t u = 0; u < tagging::kUnits; ++u)
          difference = std::max(
              difference, std::abs(by_keras[size_t(u)] - model.final_state()[size_t(b * tagging::kUnits + u)]));
        std::printf("  Keras's formula with the kernels above gives the same final state: max difference %.1e\n",
                    difference);
      }
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "infer_sequence_tagging: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
