#!/usr/bin/env bash
# Installs Debian's dataset-fashion-mnist (the four IDX files of Fashion-MNIST) when they are missing,
# for the tests that read it and the configs under configs/fashion-mnist/. Called by
# build/FashionMnist.targets; idempotent; does nothing where the files are already there.
set -euo pipefail
folder=/usr/share/datasets/fashion-mnist
[ -f "$folder/t10k-labels-idx1-ubyte.gz" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # The test projects build in parallel: one installs while the others wait, then find the files.
  exec 9>/tmp/manifoldkit-fashion-mnist.lock
  flock 9
  [ -f "$folder/t10k-labels-idx1-ubyte.gz" ] && exit 0
  echo "manifoldkit: installing dataset-fashion-mnist (Debian package) for the tests that read Fashion-MNIST"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq dataset-fashion-mnist >/dev/null
else
  echo "error: manifoldkit: Fashion-MNIST is not in $folder and this build cannot install it;" \
       "run 'sudo apt-get install dataset-fashion-mnist' and build again."
  exit 1
fi
