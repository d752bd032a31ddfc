#include "loom/runtime/npm_package.h"

#include <cstdlib>
#include <filesystem>

namespace loom {

std::string npm_package_directory(std::string_view package) {
  const std::filesystem::path relative = std::filesystem::path("node_modules") / package;
  if (const char* root = std::getenv("LOOM_DATA_DIR"); root != nullptr && *root != '\0') {
    return (std::filesystem::path(root) / relative).string();
  }
  const std::filesystem::path system = std::filesystem::path("/var/lib/loom/npm") / relative;
  const char* home = std::getenv("HOME");
  if (std::filesystem::exists(system / "package.json") || home == nullptr) return system.string();
  return (std::filesystem::path(home) / ".cache/loom/npm" / relative).string();
}

}  // namespace loom
