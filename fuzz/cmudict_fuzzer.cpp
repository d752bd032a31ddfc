// Fuzzes load_cmudict, the CMU Pronouncing Dictionary reader, in both stress modes. The input up to
// its first NUL byte is phones.txt and the rest dict.txt; without a NUL byte the whole input is
// dict.txt beside the real phoneme table. Whatever loads must split, encode and score sensibly.
#include <string>

#include "fuzz_support.h"
#include "loom/runtime/cmudict.h"

namespace {

constexpr std::string_view kPhones =
    "AA\tvowel\nAE\tvowel\nAH\tvowel\nAO\tvowel\nAW\tvowel\nAY\tvowel\nB\tstop\nCH\taffricate\nD\tstop\nDH\t"
    "fricative\nEH\tvowel\nER\tvowel\nEY\tvowel\nF\tfricative\nG\tstop\nHH\taspirate\nIH\tvowel\nIY\tvowel\nJH\t"
    "affricate\nK\tstop\nL\tliquid\nM\tnasal\nN\tnasal\nNG\tnasal\nOW\tvowel\nOY\tvowel\nP\tstop\nR\tliquid\nS\t"
    "fricative\nSH\tfricative\nT\tstop\nTH\tfricative\nUH\tvowel\nUW\tvowel\nV\tfricative\nW\tsemivowel\nY\t"
    "semivowel\nZ\tfricative\nZH\tfricative\n";

void check(const loom::PronouncingDictionary& dictionary) {
  using namespace loom;
  const DictionarySplits splits = split_dictionary(dictionary.entries);
  if (splits.train.size() + splits.validation.size() + splits.test.size() != dictionary.entries.size()) {
    fuzz::fail("the splits lost or gained words");
  }
  for (const DictionaryEntry& entry : dictionary.entries) {
    if (entry.pronunciations.empty()) fuzz::fail("a word without pronunciations: " + entry.word);
    if (decode_letters(encode_letters(entry.word)) != entry.word) fuzz::fail("letters do not decode: " + entry.word);
    for (const Pronunciation& pronunciation : entry.pronunciations) {
      if (dictionary.phonemes.decode(dictionary.phonemes.encode(pronunciation)) != pronunciation) {
        fuzz::fail("phonemes do not decode to themselves in " + entry.word);
      }
      if (edit_distance(pronunciation, pronunciation) != 0) fuzz::fail("a pronunciation differs from itself");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loom;
  const std::string_view input = fuzz::bytes_of(data, size);
  const std::size_t nul = input.find('\0');
  const auto directory = fuzz::empty_directory("cmudict");
  fuzz::write_file(directory / "phones.txt", nul == std::string_view::npos ? kPhones : input.substr(0, nul));
  fuzz::write_file(directory / "dict.txt", nul == std::string_view::npos ? input : input.substr(nul + 1));
  for (const bool stress : {false, true}) {
    fuzz::refusals_are_loom_errors([&] { check(load_cmudict(directory.string(), {.stress = stress})); });
  }
  return 0;
}
