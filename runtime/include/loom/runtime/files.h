// Reading whole files and replacing files atomically, for every runtime module that loads or saves a file.
// Failures throw loom::Error with messages that name the file, the operating system's reason and what to do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loom {

// The contents of the regular file at `path`. `kind` names the file in messages ("parameter file", "fortune
// file"); `missing_advice` is the sentence that follows "... does not exist." when there is no such file.
std::string read_file(const std::string& path, std::string_view kind, std::string_view missing_advice);

// Replaces the file at a path atomically: the data goes to "<path>.tmp.<pid>", which commit() fsyncs and renames
// over the path before fsyncing the directory. Until commit() succeeds the previous file at the path is untouched,
// and the destructor removes the temporary file. A process killed while writing cannot remove its temporary file;
// commit() removes those of processes that no longer run.
class AtomicFile {
 public:
  // Creates the temporary file. `kind` names the file in messages, e.g. "parameter file" or "chart file".
  AtomicFile(std::string path, std::string kind);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  void write(const void* data, std::size_t size);
  // Makes the written data the file at the path, durably. Call once, after the last write().
  void commit();

  const std::string& temporary_path() const { return temporary_path_; }

 private:
  void sync_and_close();

  std::string path_;
  std::string kind_;
  std::string temporary_path_;
  int fd_ = -1;
  bool renamed_ = false;
};

}  // namespace loom
