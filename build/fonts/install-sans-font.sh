#!/usr/bin/env bash
# Installs Debian's fonts-dejavu-core when /usr/share/fonts holds no font: ScottPlot's SkiaSharp for
# Linux (the build without fontconfig) reads fonts from that folder only, and without one the figures
# lose their text. Called by build/FigureFont.targets; idempotent; does nothing where a font is there.
set -euo pipefail
source "$(dirname "$0")/../install-debian-package.sh"
has_font() { [ -n "$(find /usr/share/fonts \( -name '*.ttf' -o -name '*.otf' \) -print -quit 2>/dev/null)" ]; }
install_debian_package fonts-dejavu-core has_font "for the text of the figures" \
  "warning: manifoldkit: /usr/share/fonts holds no font and this build cannot install one; figures will have no text until 'sudo apt-get install fonts-dejavu-core'."
