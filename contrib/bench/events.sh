#!/bin/sh
# events.sh - the event stream under load: task events at 10 and 500 a
# second through a fake master's operator API stream, on a synthetic
# cluster of each size.
#
#   contrib/bench/events.sh [-t SECONDS] [-q QPS] [TASKDNS] [SIZES...]
#
# -t  seconds per rate (20)     -q  dnsperf's rate during 500/s (20000)
# SIZES defaults to "10000 100000"; TASKDNS to src/taskdns.
#
# For each size: make-state.py's cluster, its SUBSCRIBED snapshot
# (t/v1state.py) served by t/fake_master on loopback; taskdns subscribes.
# Then, per rate, events.py pushes TASK_ADDED + TASK_UPDATED(RUNNING)
# pairs at that many records a second and times each new task from its
# TASK_RUNNING to the first DNS answer that has it (p50, p99, max); the
# main thread's CPU (utime + stime of the thread taskdns's pid names) is
# divided by the records.  During the 500/s run dnsperf sends QPS queries
# a second (lost queries counted) and probe.py measures answer latency;
# its p99 is set against two baselines: the same probe with nothing else
# running (p99/id), and with the same dnsperf load but no events
# (p99/ld, what the events themselves cost the answers, as latency.sh
# measures refreshes).  Peak RSS (VmHWM) at the end.
# Targets (issue 16): lag p99 <= 100 ms, <= 1 ms CPU per event, nothing
# lost and probe p99 <= 2 x idle at 500/s, peak <= 150 MB at 100k.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SECS=20
QPS=20000
while getopts t:q: o; do
	case $o in
	t) SECS=$OPTARG ;;
	q) QPS=$OPTARG ;;
	*) sed -n '2,22p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
TASKDNS=${1:-$TOP/src/taskdns}
[ $# -gt 0 ] && shift
SIZES=${*:-10000 100000}
for tool in dnsperf python3 curl; do
	command -v "$tool" > /dev/null || { echo "events.sh: $tool is needed (contrib/quickstart.sh test installs it)"; exit 1; }
done
[ -x "$TOP/t/fake_master" ] || make -C "$TOP" t/fake_master > /dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-events.XXXXXX")
PID= FM=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$FM" ] && kill "$FM" 2>/dev/null; rm -rf "$W"' EXIT
FW=9b8e4c1d-0000-4000-8000-000000000000-0000
AGENT=5e1f0c2a-7b3d-4e8f-9a10-000000000000-S0

# cpu: the main thread's CPU seconds so far.
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' \
	    "/proc/$PID/task/$PID/stat"
}

field() { tr ' ' '\n' | awk -v k="$1" 'p { print; exit } $0 == k { p = 1 }'; }

printf '%-7s %5s %6s %7s %8s %8s %8s %7s %6s %6s %8s\n' tasks rate \
    events p50_ms p99_ms max_ms cpu_ms/ev lost p99/id p99/ld peak_MB
for n in $SIZES; do
	python3 "$TOP/contrib/bench/make-state.py" "$n" 0 > "$W/state.json"
	python3 "$TOP/t/v1state.py" subscribed "$W/state.json" 5 > "$W/sub.json"
	rm -f "$W/fm.port"
	"$TOP/t/fake_master" "$W/fm.port" "$W/state.json" 2> "$W/fm.log" &
	FM=$!
	i=0
	while [ ! -s "$W/fm.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	fmport=$(cat "$W/fm.port")
	curl -sf "http://127.0.0.1:$fmport/control?stream=$W/sub.json" > /dev/null
	port=$(python3 -c 'import random; print(random.randint(20000, 60000))')
	printf '{"listener": "127.0.0.1", "port": %s, "httpOn": false, "masters": ["127.0.0.1:%s"], "externalOn": false}\n' \
	    "$port" "$fmport" > "$W/config.json"
	"$TASKDNS" -config "$W/config.json" 2> "$W/log" &
	PID=$!
	i=0
	until grep -q 'generation serial' "$W/log"; do
		i=$((i + 1))
		[ $i -gt 1200 ] && { echo "events.sh: no generation"; cat "$W/log"; exit 1; }
		sleep 0.05
	done
	"$TASKDNS" -config "$W/config.json" --state-file "$W/state.json" \
	    --print-records 2> /dev/null | awk '$1 == "A" { print $2 }' |
	    awk 'NR % 97 == 1' | head -n 2000 > "$W/names"
	awk '{ print $1, "A" }' "$W/names" > "$W/q"
	python3 "$TOP/contrib/bench/probe.py" "$port" "$W/names" 5 > "$W/idle"
	idle=$(field p99_us < "$W/idle")
	# The same load without events: the baseline of p99/ld.
	dnsperf -s 127.0.0.1 -p "$port" -d "$W/q" -l "$SECS" -Q "$QPS" -c 4 \
	    > "$W/perf0" 2>&1 &
	dp=$!
	python3 "$TOP/contrib/bench/probe.py" "$port" "$W/names" "$SECS" \
	    > "$W/loaded"
	wait "$dp" || true
	loaded=$(field p99_us < "$W/loaded")
	for rate in 10 500; do
		c0=$(cpu)
		dp=
		if [ "$rate" = 500 ]; then
			dnsperf -s 127.0.0.1 -p "$port" -d "$W/q" -l "$SECS" \
			    -Q "$QPS" -c 4 > "$W/perf" 2>&1 &
			dp=$!
			python3 "$TOP/contrib/bench/probe.py" "$port" "$W/names" \
			    "$SECS" > "$W/busy" &
			pr=$!
		fi
		python3 "$TOP/contrib/bench/events.py" "$port" "$fmport" \
		    "$rate" "$SECS" "$W" "$FW" "$AGENT" > "$W/ev"
		c1=$(cpu)
		lost=- ratio=- lratio=-
		if [ -n "$dp" ]; then
			wait "$dp" || true
			wait "$pr" || true
			lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$W/perf")
			ratio=$(awk -v a="$(field p99_us < "$W/busy")" -v b="$idle" \
			    'BEGIN { printf "%.2f", a / b }')
			lratio=$(awk -v a="$(field p99_us < "$W/busy")" \
			    -v b="$loaded" 'BEGIN { printf "%.2f", a / b }')
		fi
		ev=$(field events < "$W/ev")
		printf '%-7s %5s %6s %7s %8s %8s %8.3f %7s %6s %6s %8s\n' "$n" \
		    "$rate" "$ev" "$(field lag_p50_ms < "$W/ev")" \
		    "$(field lag_p99_ms < "$W/ev")" "$(field lag_max_ms < "$W/ev")" \
		    "$(awk -v a="$c0" -v b="$c1" -v e="$ev" 'BEGIN { print (b - a) * 1000 / e }')" \
		    "$lost" "$ratio" "$lratio" \
		    "$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status")"
		[ -n "$dp" ] && echo "  (probe p99: idle $idle us, loaded $loaded us, with events $(field p99_us < "$W/busy") us)"
		[ "$(field seen < "$W/ev")" = "$(field tasks < "$W/ev")" ] ||
		    echo "  ($(field seen < "$W/ev") of $(field tasks < "$W/ev") new tasks seen in DNS)"
	done
	kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
	kill "$FM"; wait "$FM" 2>/dev/null || true; FM=
done
