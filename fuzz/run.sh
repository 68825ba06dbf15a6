#!/usr/bin/env bash
# Runs one fuzz target for a while: fuzz/run.sh TARGET [SECONDS] (default
# 1800). Targets: parse, check, run, verify (see repl/src/fuzzing.rs).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# The corpus starts from the golden examples; crashes, timeouts and
# out-of-memory inputs land in fuzz/artifacts/TARGET/ and the run goes on
# (fork mode). The summary line at the end counts executions.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh parse|check|run|verify [SECONDS]}
secs=${2:-1800}
corpus=corpus/$target
mkdir -p "$corpus" "artifacts/$target"
if [ -z "$(ls -A "$corpus")" ]; then
    for f in ../examples/*.core ../core/tests/invalid/*.core; do
        case $target in
            parse|check) cp "$f" "$corpus/" ;;
            run) { printf '\0'; cat "$f"; } > "$corpus/$(basename "$f")" ;;
        esac
    done
    if [ "$target" = verify ]; then
        for i in 0 1 2 3; do printf "\\x0$i" > "$corpus/seed$i"; done
    fi
fi
exec cargo +nightly fuzz run --sanitizer none --debug-assertions "$target" "$corpus" -- \
    -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=8192 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="artifacts/$target/"
