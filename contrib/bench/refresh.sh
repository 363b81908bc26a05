#!/bin/sh
# refresh.sh - how long a refresh takes and how much memory it needs, for
# synthetic states of 1k, 10k and 100k tasks (make-state.py, deterministic).
#
#   contrib/bench/refresh.sh [TASKDNS] [SIZES...]
#
# TASKDNS defaults to src/taskdns.  For each size: taskdns serves the state
# from a file (no fetch), then the file is replaced by the next state of the
# same size (a tenth of the tasks changed), so the second refresh builds a
# table while the first one serves.  Printed per size: the state's size,
# records, parse / generate / publish seconds of the second refresh (from
# the daemon's log), and the peak RSS of the whole process (VmHWM).  The
# last column, microseconds per task, must stay flat as the size grows:
# refresh time is linear.
# Talks to nobody: the daemon listens on a free 127.0.0.1 port.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TASKDNS=${1:-$TOP/src/taskdns}
[ $# -gt 0 ] && shift
SIZES=${*:-1000 10000 100000}
W=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-bench.XXXXXX")
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$W"' EXIT

# wait_gen N: until the log shows N generations (60 s at most).
wait_gen() {
	i=0
	while [ "$(grep -c 'generation serial' "$W/log")" -lt "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt 1200 ] && { echo "no generation $1:"; cat "$W/log"; exit 1; }
		sleep 0.05
	done
}

printf '%-8s %9s %9s %8s %8s %8s %8s %9s %8s\n' tasks state_MB records \
    parse_s gen_s pub_s total_s peak_MB us/task
for n in $SIZES; do
	python3 "$TOP/contrib/bench/make-state.py" "$n" 0 > "$W/a.json"
	python3 "$TOP/contrib/bench/make-state.py" "$n" 1 > "$W/b.json"
	cp "$W/a.json" "$W/state.json"
	port=$(python3 -c 'import random; print(random.randint(20000, 60000))')
	printf '{"listener": "127.0.0.1", "port": %s, "httpOn": false, "stateFile": "%s", "workers": 2}\n' \
	    "$port" "$W/state.json" > "$W/config.json"
	"$TASKDNS" -config "$W/config.json" 2> "$W/log" &
	PID=$!
	wait_gen 1
	# A new file (rename: the watcher sees a new inode) of the same size.
	cp "$W/b.json" "$W/next.json"
	mv "$W/next.json" "$W/state.json"
	wait_gen 2
	peak=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status")
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	line=$(grep 'generation serial' "$W/log" | tail -n 1)
	recs=$(echo "$line" | sed -n 's/.*: \([0-9]*\) records.*/\1/p')
	parse=$(echo "$line" | sed -n 's/.*parse \([0-9.]*\) s.*/\1/p')
	gen=$(echo "$line" | sed -n 's/.*generate \([0-9.]*\) s.*/\1/p')
	pub=$(echo "$line" | sed -n 's/.*publish \([0-9.]*\) s.*/\1/p')
	mb=$(awk -v b="$(wc -c < "$W/b.json")" 'BEGIN { printf "%.1f", b / 1048576 }')
	awk -v n="$n" -v mb="$mb" -v r="$recs" -v p="$parse" -v g="$gen" \
	    -v u="$pub" -v peak="$peak" 'BEGIN {
		t = p + g + u
		printf "%-8s %9s %9s %8.3f %8.3f %8.3f %8.3f %9s %8.2f\n",
		    n, mb, r, p, g, u, t, peak, t / n * 1e6 }'
done
