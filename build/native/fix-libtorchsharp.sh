#!/usr/bin/env bash
# Makes the build output's copy of TorchSharp's libLibTorchSharp.so load where the system libstdc++
# lacks GLIBCXX_3.4.32 (Debian 12). Called by TorchSharpNative.targets (the repo's build/, and
# ManifoldKit.Abstractions' buildTransitive/); idempotent; never touches the NuGet cache. On a system whose libstdc++ has the version, it does nothing.
# Usage: fix-libtorchsharp.sh NATIVE_DIR WORK_DIR
set -euo pipefail
native_dir=$1
work_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
lib="$native_dir/libLibTorchSharp.so"
shim=libManifoldKitStdcxxShim.so

[ -f "$lib" ] || exit 0

stdcxx=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
[ -n "$stdcxx" ] || stdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f "$stdcxx" ] && grep -qa GLIBCXX_3.4.32 "$stdcxx"; then
  exit 0
fi

if ! command -v g++ >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "manifoldkit: installing g++ (Debian package) to build the libstdc++ shim for TorchSharp"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
  else
    echo "error: manifoldkit: $stdcxx lacks GLIBCXX_3.4.32, which TorchSharp's libLibTorchSharp.so needs," \
         "and g++ is not installed to build the shim that fixes it. Install it (sudo apt-get install g++) and build again."
    exit 1
  fi
fi

mkdir -p "$work_dir"
# Rebuild the two helpers only when their sources change.
if [ ! -x "$work_dir/patch-libtorchsharp" ] || [ "$here/patch-libtorchsharp.cpp" -nt "$work_dir/patch-libtorchsharp" ]; then
  g++ -O2 -std=c++17 -o "$work_dir/patch-libtorchsharp.tmp" "$here/patch-libtorchsharp.cpp"
  mv -f "$work_dir/patch-libtorchsharp.tmp" "$work_dir/patch-libtorchsharp"
fi
if [ ! -f "$work_dir/$shim" ] || [ "$here/stdcxx-shim.cpp" -nt "$work_dir/$shim" ]; then
  g++ -O2 -shared -fPIC -Wl,-soname,$shim -o "$work_dir/$shim.tmp" "$here/stdcxx-shim.cpp"
  mv -f "$work_dir/$shim.tmp" "$work_dir/$shim"
fi

cp -f "$work_dir/$shim" "$native_dir/$shim"
"$work_dir/patch-libtorchsharp" "$lib" "$shim"
# TorchSharp copies unpatched natives into cpu/ when the first load fails; a stale copy would mask a fix.
rm -rf "$native_dir/../../../cpu"
