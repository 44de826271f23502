#!/usr/bin/env bash
# Installs Debian's python3-torch (PyTorch for /usr/bin/python3) when it is missing, for the test that
# runs the PyTorch snippet of docs/python.md against an exported model. Called by
# build/PythonTorch.targets; idempotent; does nothing where /usr/bin/python3 already imports torch.
set -euo pipefail
source "$(dirname "$0")/../install-debian-package.sh"
python=/usr/bin/python3
has_torch() { [ -x "$python" ] && "$python" -c 'import torch' >/dev/null 2>&1; }
# The package's file first: importing torch costs seconds on every build.
[ -f /usr/lib/python3/dist-packages/torch/__init__.py ] && exit 0
install_debian_package python3-torch has_torch "for the test of docs/python.md" \
  "error: manifoldkit: $python cannot import torch and this build cannot install it; run 'sudo apt-get install python3-torch' and build again." \
  --no-install-recommends
