#!/usr/bin/env bash
# Installs Debian's python3-torch (PyTorch for /usr/bin/python3) when it is missing, for the test that
# runs the PyTorch snippet of docs/python.md against an exported model. Called by
# build/PythonTorch.targets; idempotent; does nothing where /usr/bin/python3 already imports torch.
set -euo pipefail
python=/usr/bin/python3
has_torch() { [ -x "$python" ] && "$python" -c 'import torch' >/dev/null 2>&1; }
# The package's file first: importing torch costs seconds on every build.
[ -f /usr/lib/python3/dist-packages/torch/__init__.py ] && exit 0
has_torch && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # The test projects build in parallel: one installs while the others wait, then find torch.
  exec 9>/tmp/manifoldkit-python-torch.lock
  flock 9
  has_torch && exit 0
  echo "manifoldkit: installing python3-torch (Debian package) for the test of docs/python.md"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends python3-torch >/dev/null
  has_torch || { echo "error: manifoldkit: python3-torch was installed but $python cannot import torch."; exit 1; }
else
  echo "error: manifoldkit: $python cannot import torch and this build cannot install it;" \
       "run 'sudo apt-get install python3-torch' and build again."
  exit 1
fi
