#!/usr/bin/env bash
# Installs Debian's dataset-fashion-mnist (the four IDX files of Fashion-MNIST) when they are missing,
# for the tests that read it and the configs under configs/fashion-mnist/. Called by
# build/FashionMnist.targets; idempotent; does nothing where the files are already there.
set -euo pipefail
source "$(dirname "$0")/../install-debian-package.sh"
folder=/usr/share/datasets/fashion-mnist
has_files() { [ -f "$folder/t10k-labels-idx1-ubyte.gz" ]; }
install_debian_package dataset-fashion-mnist has_files "for the tests that read Fashion-MNIST" \
  "error: manifoldkit: Fashion-MNIST is not in $folder and this build cannot install it; run 'sudo apt-get install dataset-fashion-mnist' and build again."
