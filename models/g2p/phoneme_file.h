// The phoneme table a g2p model was trained with, saved beside its checkpoint so that the g2p
// program needs neither the dictionary nor its phones.txt: one phoneme per line, in id order from 3
// (the ids 0-2 are always <pad>, <start> and <end>).
#pragma once

#include "loom/runtime/cmudict.h"
#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"

#include <fstream>
#include <string>
#include <vector>

namespace loom::g2p {

inline void save_phonemes(const std::string &path, const PhonemeSymbols &symbols) {
  std::string text;
  for (int32_t id = 3; id < symbols.size(); ++id)
    text += symbols.symbol(id) + "\n";
  AtomicFile file(path, "phoneme table");
  file.write(text.data(), text.size());
  file.commit();
}

inline PhonemeSymbols load_phonemes(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw Error("cannot read the phoneme table " + in_quotes(path) +
                "; train_g2p writes it (--phonemes) beside the checkpoint.");
  std::vector<std::string> phonemes;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ012") != std::string::npos)
      throw Error("the phoneme table " + in_quotes(path) + " has a line that is not a phoneme: " + in_quotes(line));
    phonemes.push_back(line);
  }
  if (phonemes.empty())
    throw Error("the phoneme table " + in_quotes(path) + " is empty");
  return PhonemeSymbols(std::move(phonemes));
}

} // namespace loom::g2p
