#!/usr/bin/env bash
# A REPL session's memory over many inputs: pipes N copies of a few kinds
# of input into `sloth repl` and prints the peak RSS and the wall time for
# each N. Flat RSS across N is the goal (issue 5: 10,000 evaluated lines do
# not grow the session's memory); live definitions are kept, of course, so
# the "distinct" kind (every line a new name) grows by design.
#
# Usage: bench/repl_memory.sh [N...]     (default: 1000 10000 100000)
# Needs: cargo (builds sloth in release), /usr/bin/time.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q -p sloth --manifest-path "$root/Cargo.toml" || exit 1
sloth=$root/target/release/sloth
counts=("$@"); [ ${#counts[@]} -eq 0 ] && counts=(1000 10000 100000)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# Each kind writes N inputs.
gen() {
  case $1 in
    eval)     awk -v n="$2" 'BEGIN{for(i=0;i<n;i++) print "sum [1 .. 100]"}';;
    shadow)   awk -v n="$2" 'BEGIN{for(i=0;i<n;i++) if(i%2) print "x + 1"; else print "x = " i}';;
    mixed)    awk -v n="$2" 'BEGIN{for(i=0;i<n;i++){k=i%5;
                if(k==0) print "f y = y * " i; else if(k==1) print "map f [1 .. 5]";
                else if(k==2) print ":type f"; else if(k==3) print "f True"; else print "head []"}}';;
    distinct) awk -v n="$2" 'BEGIN{for(i=0;i<n;i++) print "def" i " x = x + " i}';;
  esac
}
printf "%-9s %8s %9s %8s\n" kind inputs rss_KB secs
for kind in eval shadow mixed distinct; do
  for n in "${counts[@]}"; do
    gen "$kind" "$n" > "$work/in"
    /usr/bin/time -f "%M %e" -o "$work/time" "$sloth" repl < "$work/in" >/dev/null 2>&1
    read -r rss secs < "$work/time"
    printf "%-9s %8s %9s %8s\n" "$kind" "$n" "$rss" "$secs"
  done
done
