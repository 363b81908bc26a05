#!/bin/sh
# refresh.sh - how long a refresh takes and how much memory it needs, for
# synthetic states of 1k, 10k and 100k tasks (make-state.py, deterministic).
#
#   contrib/bench/refresh.sh [TASKDNS] [SIZES...]
#
# TASKDNS defaults to src/taskdns; ROUNDS (environment, default 5) is how
# many refreshes are timed per size.  For each size: taskdns serves the
# state from a file (no fetch), then the file is replaced ROUNDS times by
# the other of two states of that size (a tenth of the tasks differ), so
# every timed refresh builds a table while the previous one serves.
# Printed per size: the state's size, records, parse / generate / publish
# seconds of the median refresh (by total; from the daemon's log), the
# fastest and slowest totals, and the peak RSS of the whole process
# (VmHWM) over all of them.  The last column, microseconds per task, must
# stay flat as the size grows: refresh time is linear.
# Talks to nobody: the daemon listens on a free 127.0.0.1 port.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TASKDNS=${1:-$TOP/src/taskdns}
[ $# -gt 0 ] && shift
SIZES=${*:-1000 10000 100000}
ROUNDS=${ROUNDS:-5}
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

printf '%-8s %8s %9s %7s %7s %7s %7s %7s %7s %8s %7s\n' tasks state_MB \
    records parse_s gen_s pub_s total_s min_s max_s peak_MB us/task
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
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		# A new file (rename: the watcher sees a new inode).
		if [ $((r % 2)) -eq 1 ]; then
			cp "$W/b.json" "$W/next.json"
		else
			cp "$W/a.json" "$W/next.json"
		fi
		mv "$W/next.json" "$W/state.json"
		r=$((r + 1))
		wait_gen "$r"
	done
	peak=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status")
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	mb=$(awk -v b="$(wc -c < "$W/b.json")" 'BEGIN { printf "%.1f", b / 1048576 }')
	# The timed refreshes: every generation but the first.
	grep 'generation serial' "$W/log" | tail -n +2 | sed -n \
	    's/.*: \([0-9]*\) records.*parse \([0-9.]*\) s, generate \([0-9.]*\) s, publish \([0-9.]*\) s.*/\1 \2 \3 \4/p' |
	    awk '{ printf "%.6f %s %s %s %s\n", $2 + $3 + $4, $1, $2, $3, $4 }' |
	    sort -n | awk -v n="$n" -v mb="$mb" -v peak="$peak" '
		{ t[NR] = $1; r[NR] = $2; p[NR] = $3; g[NR] = $4; u[NR] = $5 }
		END {
			m = int((NR + 1) / 2)
			printf "%-8s %8s %9s %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %8s %7.2f\n",
			    n, mb, r[m], p[m], g[m], u[m], t[m], t[1], t[NR],
			    peak, t[m] / n * 1e6 }'
done
