#!/usr/bin/env bash
# Times every benchmark under sloth and, when installed, GHCi (its own
# evaluation time, from `:set +s`), GHC -O0 and -O2 (whole process), and
# Hugs, in one run, and prints times and sloth's ratio to GHCi.
#
# Usage: bench/compare.sh [NAME...]      (names as in bench/programs, e.g. nfib)
# Needs: cargo (builds sloth in release); optional: apt-get install ghc hugs
# Machines are noisy: each sloth time is the best of RUNS runs (default 3).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
hs=$root/../shared/bench/haskell
runs=${RUNS:-3}
cargo build --release -q -p sloth --manifest-path "$root/Cargo.toml" || exit 1
sloth=$root/target/release/sloth
names=("$@"); [ ${#names[@]} -eq 0 ] && names=(nfib tak queens primes exp3_8 hamming sum_stream sort fibs tree)
hsname() { case $1 in exp3_8) echo Exp3_8;; sum_stream) echo SumStream;; *) echo "${1^}";; esac; }
build=/tmp/sloth-compare-build; mkdir -p "$build"
best() { # best wall time of $runs runs of "$@" (stdout discarded), or "fail"
  local b=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$build/time" "$@" >/dev/null 2>/dev/null
    t=$(tail -1 "$build/time")
    [[ $t =~ ^[0-9.]+$ ]] || { echo fail; return; }
    b=$(awk -v a="${b:-$t}" -v c="$t" 'BEGIN{print (c<a)?c:a}')
  done
  echo "$b"
}
printf "%-11s %8s %8s %8s %8s %8s %8s %9s\n" bench sloth_s ghci_s O0_s O2_s hugs_s rss_MB sloth/ghci
for b in "${names[@]}"; do
  prog=$root/bench/programs/$b.core
  [ -f "$prog" ] || { echo "no $prog" >&2; continue; }
  got=$("$sloth" run "$prog" 2>&1); want=$(cat "$root/bench/programs/$b.stdout")
  [ "$got" = "$want" ] || { echo "$b: sloth printed '$got', expected '$want'" >&2; continue; }
  s=$(best "$sloth" run "$prog")
  /usr/bin/time -f "%M" -o "$build/rss" "$sloth" run "$prog" >/dev/null 2>&1
  rss=$(tail -1 "$build/rss")
  rss=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')
  H=$(hsname "$b"); gi=-; o0=-; o2=-; hu=-
  if command -v ghc >/dev/null && [ -f "$hs/$H.hs" ]; then
    gi=$(cd "$hs" && ghc -ignore-dot-ghci -e ':set +s' -e main "$H.hs" 2>&1 | sed -n 's/.*(\([0-9.]*\) secs.*/\1/p' | tail -1)
    for o in O0 O2; do
      mkdir -p "$build/$o/$H"
      (cd "$hs" && ghc -$o -outputdir "$build/$o/$H" -o "$build/$o/$H/run" "$H.hs" >/dev/null 2>&1)
      t=$(best "$build/$o/$H/run"); [ "$o" = O0 ] && o0=$t || o2=$t
    done
  fi
  if command -v runhugs >/dev/null && [ -f "$hs/$H.hs" ]; then
    # A Hugs time counts only when Hugs printed GHC's output: its C stack
    # overflows on deep recursion (`crash`: sort, tree) and its Int is 32
    # bits (`wrong`: hamming overflows).
    hout=$(cd "$hs" && /usr/bin/time -f "%e" -o "$build/hugs" timeout 300 runhugs -h50000000 "$H.hs" 2>/dev/null)
    hstatus=$?
    if [ "$hout" = "$want" ]; then hu=$(tail -1 "$build/hugs")
    elif [ $hstatus -eq 0 ]; then hu=wrong
    else hu=crash; fi
  fi
  ratio=$(awk -v s="$s" -v g="$gi" 'BEGIN{ if (g+0 > 0) printf "%.2f", s/g; else print "-" }')
  printf "%-11s %8s %8s %8s %8s %8s %8s %9s\n" "$b" "$s" "${gi:--}" "$o0" "$o2" "$hu" "$rss" "$ratio"
done
