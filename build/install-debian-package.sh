# Sourced by the build's install scripts: installs a Debian package the build needs when it is missing.
# install_debian_package PACKAGE PRESENT WHY MISSING [APT-OPTION...]
#   PRESENT  a command that succeeds when what the package provides is there
#   WHY      the end of the progress line, e.g. "for the tests that read Fashion-MNIST"
#   MISSING  the line printed where this build cannot install it (not root, or no apt-get); the build
#            fails unless it starts with "warning:"
install_debian_package() {
  local package=$1 present=$2 why=$3 missing=$4
  shift 4
  "$present" && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # Projects build in parallel: one installs under the lock while the others wait, then find it.
    exec 9>"/tmp/manifoldkit-$package.lock"
    flock 9
    "$present" && return 0
    echo "manifoldkit: installing $package (Debian package) $why"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" "$package" >/dev/null
    "$present" || { echo "error: manifoldkit: $package was installed, but what it provides is still missing ($present)."; return 1; }
  else
    echo "$missing"
    [[ $missing == warning:* ]]
  fi
}
