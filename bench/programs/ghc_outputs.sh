#!/usr/bin/env bash
# Regenerates NAME.stdout and NAME.small from the Haskell originals with GHC
# (9.0.2 was used): each original is copied, with BenchPrelude.hs, into a
# temporary directory outside the repository, compiled with `ghc -O2` and
# run; for NAME.small it is compiled and run again with its size constants
# replaced by the reduced ones (a `sed` on the Haskell source).
#
# Usage: bench/programs/ghc_outputs.sh [HASKELL_DIR]
#   HASKELL_DIR defaults to ../shared/bench/haskell (relative to the
#   repository root).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
haskell="${1:-$here/../../../shared/bench/haskell}"
haskell="$(cd "$haskell" && pwd)"
tmp="$(mktemp -d /tmp/sloth-bench-ghc.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# run_ghc HS_FILE_STEM SED_SCRIPT OUT_FILE: compile the (edited) original
# and write its standard output to OUT_FILE.
run_ghc() {
  local stem="$1" script="$2" out="$3"
  local dir="$tmp/$stem-$(date +%s%N)"
  mkdir -p "$dir"
  cp "$haskell/BenchPrelude.hs" "$dir/"
  sed -e "$script" "$haskell/$stem.hs" > "$dir/$stem.hs"
  if [ -n "$script" ] && cmp -s "$haskell/$stem.hs" "$dir/$stem.hs"; then
    echo "$stem: the sed script '$script' changed nothing" >&2
    exit 1
  fi
  (cd "$dir" && ghc -O2 -v0 "$stem.hs" -o prog && ./prog) > "$out"
}

# program NAME HS_STEM SED_SCRIPT SLOTH_LINE...: NAME.stdout from the
# original, NAME.small from the original edited by SED_SCRIPT, with the
# Sloth replacement lines SLOTH_LINE... in front.
program() {
  local name="$1" stem="$2" script="$3"
  shift 3
  run_ghc "$stem" "" "$here/$name.stdout"
  {
    printf '%s\n' "$@"
    echo '---'
    run_ghc "$stem" "$script" "$tmp/small.out"
    cat "$tmp/small.out"
  } > "$here/$name.small"
  echo "$name: $(cat "$here/$name.stdout") (small: $(tail -n 1 "$here/$name.small"))"
}

program exp3_8 Exp3_8 's/fromInt 12/fromInt 10/' 'exponent = 10'
program fibs Fibs 's/(<= 12000)/(<= 1500)/' 'limit = 1500'
program hamming Hamming 's/9999/1999/; s/enumFromTo 1 30/enumFromTo 1 10/' 'position = 1999' 'scales = 10'
program nfib Nfib 's/nfib 30/nfib 22/' 'size = 22'
program primes Primes 's/index primes 30000/index primes 1500/' 'size = 1500'
program queens Queens 's/queens 10/queens 8/' 'size = 8'
program sort Sort 's/take 200000/take 5000/' 'size = 5000'
program sum_stream SumStream 's/enumFromTo 1 3000000/enumFromTo 1 50000/' 'size = 50000'
program tak Tak 's/tak 24 16 8/tak 18 12 6/' 'x0 = 18' 'y0 = 12' 'z0 = 6'
program tree Tree 's/take 200000/take 5000/' 'size = 5000'
