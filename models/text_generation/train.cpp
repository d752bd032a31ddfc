// Trains the character-level LSTM on the fortunes with truncated backprop through time: the
// training text is cut into kBatch streams read side by side in windows of kSteps characters, each
// window starting from the state the previous one ended in. Reports the held-out bits per
// character after every epoch, prints a sample, and writes the checkpoint and the loss curve.
#include "sampling.h"
#include "text_generation.h"

#include "loom/runtime/training.h"

#include <chrono>
#include <cstdio>

namespace {

using namespace text_generation;
using Model = loom::models::text_generation;
constexpr int64_t kSteps = Model::characters_shape[0], kBatch = Model::characters_shape[1];
static_assert(Model::logits_shape[1] == kVocabulary, "the two shapes share one vocabulary");

/// A text as kBatch contiguous streams of equal length: window k holds characters
/// [k * kSteps, (k + 1) * kSteps) of every stream, and the next character of each as its label.
class Windows {
public:
  explicit Windows(std::vector<int32_t> ids)
      : ids_(std::move(ids)), stream_length_((int64_t(ids_.size()) - 1) / kBatch) {}

  int64_t count() const { return std::max<int64_t>(0, stream_length_ / kSteps); }

  void fill(Model &model, int64_t window) const {
    std::span<int32_t> characters = model.characters(), next = model.next();
    for (int64_t t = 0; t < kSteps; ++t)
      for (int64_t b = 0; b < kBatch; ++b) {
        size_t position = size_t(b * stream_length_ + window * kSteps + t);
        characters[size_t(t * kBatch + b)] = ids_[position];
        next[size_t(t * kBatch + b)] = ids_[position + 1];
      }
  }

private:
  std::vector<int32_t> ids_;
  int64_t stream_length_;
};

/// How many of the model's kSteps * kBatch predictions name the next character.
int64_t count_correct(Model &model) {
  int64_t correct = 0;
  for (int64_t i = 0; i < kSteps * kBatch; ++i)
    correct +=
        loom::argmax(model.logits().subspan(size_t(i * kVocabulary), size_t(kVocabulary))) == model.next()[size_t(i)];
  return correct;
}

/// Mean cross-entropy (nats per character) over every window of the held-out text.
double held_out_loss(Model &model, const Windows &held_out) {
  reset_state(model);
  double sum = 0;
  for (int64_t window = 0; window < held_out.count(); ++window) {
    held_out.fill(model, window);
    model.forward();
    sum += model.loss();
    carry_state(model);
  }
  return sum / double(held_out.count());
}

/// The training fortunes of one epoch, shuffled by (seed, epoch) so that an epoch's order does not
/// depend on the epochs before it and --resume sees the same text.
std::vector<int32_t> epoch_text(const Corpus &corpus, uint64_t seed, int epoch) {
  std::vector<std::string> fortunes = corpus.training;
  loom::Random(seed, uint64_t(epoch)).shuffle(fortunes);
  return corpus.vocabulary.encode(join(fortunes));
}

struct Options {
  loom::TrainingOptions training{
      .epochs = 5, .checkpoint = "text_generation.checkpoint", .loss_curve = "text_generation_loss.png"};
  std::string data = std::string(loom::kFortunesDirectory);
  size_t limit = 0;
  int64_t steps_per_epoch = 0;
  int64_t sample_length = 200;
  double require_bpc = 0;
};

int train(const Options &options) {
  Corpus corpus = load_corpus(options.data, options.limit);
  Windows held_out(corpus.vocabulary.encode(join(corpus.held_out)));
  if (held_out.count() == 0)
    throw loom::Error("the " + std::to_string(corpus.held_out.size()) +
                      " held-out fortunes are shorter than one window of " + std::to_string(kSteps * kBatch) +
                      " characters; raise --limit");
  const int64_t full_epoch = Windows(epoch_text(corpus, options.training.seed, 1)).count();
  const int64_t steps = options.steps_per_epoch > 0 ? std::min(options.steps_per_epoch, full_epoch) : full_epoch;
  std::printf("fortunes: %zu for training, %zu held out (%lld windows); %lld characters, uniform guess %.2f bits "
              "per character\nwindows of %lld characters x %lld streams, %lld of %lld steps per epoch\n",
              corpus.training.size(), corpus.held_out.size(), (long long)held_out.count(), (long long)kVocabulary,
              std::log2(double(kVocabulary)), (long long)kSteps, (long long)kBatch, (long long)steps,
              (long long)full_epoch);

  Model model;
  const int first_epoch = int(loom::start_or_resume(model, options.training) / steps) + 1;
  Sampler sampler;
  TextSampler text_sampler(sampler, corpus.vocabulary);
  loom::TrainingLog log("text_generation");
  double bpc = std::nan("");
  for (int epoch = first_epoch; epoch <= options.training.epochs; ++epoch) {
    Windows windows(epoch_text(corpus, options.training.seed, epoch));
    loom::ProgressBar progress("epoch " + std::to_string(epoch) + "/" + std::to_string(options.training.epochs), steps);
    auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t correct = 0;
    reset_state(model);
    for (int64_t window = 0; window < steps; ++window) {
      windows.fill(model, window);
      float loss = model.train_step();
      log.record_step(model.steps(), loss, options.training.checkpoint);
      carry_state(model);
      loss_sum += loss;
      correct += count_correct(model);
      progress.update(window + 1, (window + 1) * kSteps * kBatch, loss_sum / double(window + 1),
                      double(correct) / double((window + 1) * kSteps * kBatch));
    }
    progress.finish();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double held_out_nats = held_out_loss(model, held_out);
    bpc = bits_per_character(held_out_nats);
    log.record_evaluation(model.steps(), "held-out loss", held_out_nats);
    model.save_checkpoint(options.training.checkpoint);
    log.write_loss_curve(options.training.loss_curve);
    std::printf("epoch %d: train loss %.4f (%.3f bits per character), held-out %.3f bits per character, "
                "%.1f s (%.0f characters/s); saved %s\n",
                epoch, loss_sum / double(steps), bits_per_character(loss_sum / double(steps)), bpc, seconds,
                double(steps * kSteps * kBatch) / seconds, options.training.checkpoint.c_str());
    if (options.sample_length > 0) {
      sampler.load_parameters(options.training.checkpoint);
      loom::Random random(options.training.seed, uint64_t(epoch));
      const std::string prime = "The ";
      std::printf("sample at temperature 0.5:\n%s%s\n\n", prime.c_str(),
                  text_sampler.generate(prime, options.sample_length, 0.5f, random).c_str());
    }
    std::fflush(stdout);
  }
  if (!options.training.loss_curve.empty())
    std::printf("loss curve: %s\n", options.training.loss_curve.c_str());
  if (first_epoch > options.training.epochs) {
    bpc = bits_per_character(held_out_loss(model, held_out));
    std::printf("%s has already trained %d epochs; held-out %.3f bits per character\n",
                options.training.checkpoint.c_str(), first_epoch - 1, bpc);
  }
  if (options.require_bpc > 0 && !(bpc <= options.require_bpc)) {
    std::fprintf(stderr, "train_text_generation: held-out %.3f bits per character, above the required %.3f\n", bpc,
                 options.require_bpc);
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  CLI::App app{"Trains the character-level LSTM on the fortune cookie corpus.", "train_text_generation"};
  loom::add_training_options(app, options.training);
  app.add_option("--data", options.data, "directory of the fortune files")->capture_default_str();
  app.add_option("--limit", options.limit, "use only the first N fortunes (0: all 15k)")->capture_default_str();
  app.add_option("--steps-per-epoch", options.steps_per_epoch,
                 "training windows per epoch (0: the whole training text, about 1150)")
      ->capture_default_str();
  app.add_option("--sample-length", options.sample_length, "characters sampled after every epoch (0: none)")
      ->capture_default_str();
  app.add_option("--require-bpc", options.require_bpc,
                 "exit with an error unless the final held-out bits per character are at most this")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return train(options);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_text_generation: error: %s\n", error.what());
    return 1;
  }
}
