#!/usr/bin/env bash
# deps.sh: install the Debian packages this project needs, only those missing.
# Used by `make build` (and so by `make run` / `make test`) and by CI. Debian 12.
set -euo pipefail
pkgs=(build-essential cmake pkg-config python3-dev python3-yaml golang-go libyaml-dev libjansson-dev
      clang clang-format libclang-rt-14-dev valgrind)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
