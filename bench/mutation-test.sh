#!/bin/sh
# One run of the mutation test (npm run mutation, docs/mutation.md). Stryker's command runner runs
# it in its sandbox, once without a mutant and then once per mutant, with the mutant's id in
# __STRYKER_ACTIVE_MUTANT__: the CLI passes its environment to the child process that runs the
# app, where the instrumented reference app reads it. Exit 0: the mutant survived; anything else
# (1 a scenario failed, 2 the adapter did not load, 3 harness error): killed.
#
# The whole suite, both passes, stopping at the first failed scenario (--fail-fast: a killed
# mutant needs one failure, and most fail early), the (mutated) reference app as the app under test and the
# pristine copy (bench/mutation-peer.ts) on the phones playing the other side. Each run gets its
# own reports folder inside the sandbox: runs side by side (concurrency 2) must not share one.
started=$(date +%s)
reports=$(mktemp -d mutation-reports.XXXXXX)
SCT_PEER_ADAPTER=src/fakes/peer-reference-app.ts \
  node bin/sct-conformance.js run --quiet --fail-fast --seed 5 --timeout 20 --reports "$reports" >"$reports.out" 2>&1
code=$?
# Which mutant ended how, for docs/mutation.md (SCT_MUTATION_LOG: set by npm run mutation).
if [ -n "$SCT_MUTATION_LOG" ]; then
  printf '%s\t%s\t%s\t%s\n' "${__STRYKER_ACTIVE_MUTANT__:-none}" "$code" "$(($(date +%s) - started))" \
    "$(grep '^conformance \[' "$reports.out" | tr '\n' ' ')" >>"$SCT_MUTATION_LOG"
fi
cat "$reports.out"
rm -rf "$reports" "$reports.out"
exit $code
