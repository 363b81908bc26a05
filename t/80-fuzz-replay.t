#!/bin/sh
# Every fuzz target replays its corpus (t/fuzz/corpus/TARGET): inputs that
# once found bugs, and seeds from our own tests.  A crash or a broken
# invariant aborts the target and fails here.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 7
for f in message dname state config recordio zone tsig; do
	out=$("$TOP_BUILDDIR/t/fuzz/fuzz_$f" "$TOP_SRCDIR/t/fuzz/corpus/$f" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	ok $rc "fuzz_$f replays its corpus ($(printf '%s' "$out" | sed -n 's/^# replayed \([0-9]*\).*/\1/p') inputs)"
done
done_testing
