// Whole-file reads and atomic replacement through POSIX calls, so that every failure has its errno to report.
#include "loom/runtime/files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <filesystem>

#include "loom/runtime/errors.h"

namespace loom {
namespace {

// "parameter file" -> "Parameter file", to start a sentence.
std::string capitalized(std::string_view kind) {
  std::string text(kind);
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

// Removes "<path>.tmp.<pid>" files left by processes that no longer run (killed while saving, say),
// so that a training run killed again and again does not fill its directory. A temporary file whose
// process still runs may be in use and is left alone. Best effort: failures are ignored.
void remove_abandoned_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const std::string prefix = target.filename().string() + ".tmp.";
  fs::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  std::error_code error;
  for (fs::directory_iterator entry(directory, error), end; !error && entry != end; entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove(entry->path(), ignored);
    }
  }
}

}  // namespace

std::string read_file(const std::string& path, std::string_view kind, std::string_view missing_advice) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    throw Error(capitalized(kind) + " " + in_quotes(path) + " does not exist. " + std::string(missing_advice));
  }
  if (fd < 0) {
    throw Error("Could not open " + std::string(kind) + " " + in_quotes(path) + ": " + describe_errno(errno) + ".");
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    throw Error(capitalized(kind) + " " + in_quotes(path) + " is not a regular file; pass the path of a " +
                std::string(kind) + ".");
  }
  std::string bytes(static_cast<std::size_t>(status.st_size), '\0');
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t result = ::read(fd, bytes.data() + filled, bytes.size() - filled);
    if (result < 0 && errno == EINTR) continue;
    if (result <= 0) {
      const int error_number = result < 0 ? errno : 0;
      ::close(fd);
      throw Error("Could not read " + std::string(kind) + " " + in_quotes(path) + ": " +
                  (result < 0 ? describe_errno(error_number) : "it shrank while being read") + ".");
    }
    filled += static_cast<std::size_t>(result);
  }
  ::close(fd);
  return bytes;
}

AtomicFile::AtomicFile(std::string path, std::string kind)
    : path_(std::move(path)), kind_(std::move(kind)), temporary_path_(path_ + ".tmp." + std::to_string(::getpid())) {
  fd_ = ::open(temporary_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("Could not create the temporary " + kind_ + " " + in_quotes(temporary_path_) + ": " +
                describe_errno(errno) + ". Check that the directory exists and that you may write to it.");
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!renamed_) ::unlink(temporary_path_.c_str());
}

void AtomicFile::write(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t result = ::write(fd_, bytes + written, size - written);
    if (result < 0 && errno == EINTR) continue;
    if (result < 0) {
      throw Error("Could not write the temporary " + kind_ + " " + in_quotes(temporary_path_) + ": " +
                  describe_errno(errno) + ". Free some disk space or choose another location.");
    }
    written += static_cast<std::size_t>(result);
  }
}

void AtomicFile::sync_and_close() {
  if (::fsync(fd_) != 0) {
    throw Error("Could not flush the temporary " + kind_ + " " + in_quotes(temporary_path_) +
                " to disk: " + describe_errno(errno) + ".");
  }
  const int fd = fd_;
  fd_ = -1;
  // close can report a deferred write error (for example on network file systems).
  if (::close(fd) != 0) {
    throw Error("Could not close the temporary " + kind_ + " " + in_quotes(temporary_path_) + ": " +
                describe_errno(errno) + ".");
  }
}

void AtomicFile::commit() {
  sync_and_close();
  if (::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    throw Error("Could not move the temporary " + kind_ + " " + in_quotes(temporary_path_) + " over " +
                in_quotes(path_) + ": " + describe_errno(errno) + ". The previous file at " + in_quotes(path_) +
                ", if any, is unchanged.");
  }
  renamed_ = true;

  // Syncing the directory makes the rename itself durable: without it a crash can bring back the old entry.
  std::filesystem::path directory = std::filesystem::path(path_).parent_path();
  if (directory.empty()) directory = ".";
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const int error_number = errno;
  if (fd >= 0) ::close(fd);
  if (!synced) {
    throw Error(capitalized(kind_) + " " + in_quotes(path_) + " was written, but its directory " +
                in_quotes(directory.string()) + " could not be synced to disk: " + describe_errno(error_number) +
                ". The file may revert to its previous contents after a crash.");
  }
  remove_abandoned_temporaries(path_);
}

}  // namespace loom
