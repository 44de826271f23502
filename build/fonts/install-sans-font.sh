#!/usr/bin/env bash
# Installs Debian's fonts-dejavu-core when /usr/share/fonts holds no font: ScottPlot's SkiaSharp for
# Linux (the build without fontconfig) reads fonts from that folder only, and without one the figures
# lose their text. Called by build/FigureFont.targets; idempotent; does nothing where a font is there.
set -euo pipefail
has_font() { [ -n "$(find /usr/share/fonts \( -name '*.ttf' -o -name '*.otf' \) -print -quit 2>/dev/null)" ]; }
has_font && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # Projects build in parallel: one installs while the others wait.
  exec 9>/tmp/manifoldkit-font.lock
  flock 9
  has_font && exit 0
  echo "manifoldkit: installing fonts-dejavu-core (Debian package) for the text of the figures"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq fonts-dejavu-core >/dev/null
else
  echo "warning: manifoldkit: /usr/share/fonts holds no font and this build cannot install one;" \
       "figures will have no text until 'sudo apt-get install fonts-dejavu-core'."
fi
