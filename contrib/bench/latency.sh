#!/bin/sh
# latency.sh - two latency figures, each against a reference measured in
# the same run on the same machine.
#
#   contrib/bench/latency.sh [-n TASKS] [-t SECONDS] [-q QPS] [TASKDNS]
#
# -n  tasks in the synthetic state (100000)   -t  seconds per phase (10)
# -q  steady dnsperf load during the refresh phases, queries/s (20000)
# TASKDNS defaults to src/taskdns.
#
# forward: NSD serves upstream.test. on a free port and is taskdns's only
#   resolver.  probe.py (one query at a time) asks NSD directly, then the
#   same name through taskdns, A B A B, three rounds; printed: the medians
#   of each side's p50 and p99, and the forwarding overhead (p50 through
#   taskdns minus p50 direct).
# refresh: dnsperf sends a steady QPS of A queries for task names while
#   probe.py measures; first with the table left alone ("idle"), then
#   while the state file is replaced every 2 s, so a table of TASKS tasks
#   is built and swapped in over and over.  Printed for each phase: the
#   generations seen, dnsperf's lost queries, probe's lost queries, p50
#   and p99, and the ratio of the p99s.
# Everything listens on 127.0.0.1 and stops at the end.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=100000
SECS=10
QPS=20000
while getopts n:t:q: o; do
	case $o in
	n) N=$OPTARG ;;
	t) SECS=$OPTARG ;;
	q) QPS=$OPTARG ;;
	*) sed -n '2,8p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
TASKDNS=${1:-$TOP/src/taskdns}
PROBE="python3 $TOP/contrib/bench/probe.py"
for tool in nsd dnsperf dig python3; do
	command -v "$tool" > /dev/null || { echo "latency.sh: $tool is needed"; exit 1; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-lat.XXXXXX")
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; sleep 0.2; rm -rf "$W"' EXIT
free_port() { python3 -c 'import random; print(random.randint(20000, 60000))'; }
up() {
	i=0
	while [ -z "$(dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" A 2>/dev/null)" ]; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && { echo "latency.sh: nothing answers $2 on port $1"; cat "$W"/*.log; exit 1; }
		sleep 0.1
	done
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.* $1 \([0-9.]*\).*/\1/p"; }

# --- NSD, the upstream --------------------------------------------------------
NSD_PORT=$(free_port)
printf '$ORIGIN upstream.test.\n$TTL 60\n@ IN SOA ns1 root 1 60 360 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\nwww IN A 192.0.2.1\n' > "$W/upstream.zone"
cat > "$W/nsd.conf" <<CONF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	username: ""
	chroot: ""
	zonesdir: "$W"
	database: ""
	pidfile: "$W/nsd.pid"
	xfrdfile: "$W/xfrd.state"
	zonelistfile: "$W/zone.list"
	logfile: "$W/nsd.log"
	server-count: 1
	verbosity: 0
	rrl-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: upstream.test
	zonefile: upstream.zone
CONF
nsd -c "$W/nsd.conf" -d > /dev/null 2>&1 &
PIDS="$PIDS $!"
up "$NSD_PORT" www.upstream.test

# --- taskdns -------------------------------------------------------------------
python3 "$TOP/contrib/bench/make-state.py" "$N" 0 > "$W/a.json"
python3 "$TOP/contrib/bench/make-state.py" "$N" 1 > "$W/b.json"
cp "$W/a.json" "$W/state.json"
TD_PORT=$(free_port)
printf '{"listener": "127.0.0.1", "port": %s, "httpOn": false, "stateFile": "%s", "resolvers": ["127.0.0.1:%s"], "timeout": 2}\n' \
    "$TD_PORT" "$W/state.json" "$NSD_PORT" > "$W/taskdns.json"
"$TASKDNS" -config "$W/taskdns.json" --print-records 2> /dev/null |
    awk '$1 == "A" { print $2 }' | awk 'NR % 97 == 1' | head -n 2000 > "$W/names"
"$TASKDNS" -config "$W/taskdns.json" 2> "$W/taskdns.log" &
TD_PID=$!
PIDS="$PIDS $TD_PID"
up "$TD_PORT" "$(head -n 1 "$W/names")"
up "$TD_PORT" www.upstream.test
echo www.upstream.test > "$W/fwd"

echo "forward (probe, $SECS s per run, 3 rounds):"
for r in 1 2 3; do
	$PROBE "$NSD_PORT" "$W/fwd" "$SECS" >> "$W/direct"
	$PROBE "$TD_PORT" "$W/fwd" "$SECS" >> "$W/via"
done
for side in direct via; do
	printf '  %-8s p50 %7.1f us  p99 %7.1f us  lost %s\n' "$side" \
	    "$(field p50_us < "$W/$side" | median)" \
	    "$(field p99_us < "$W/$side" | median)" \
	    "$(field lost < "$W/$side" | awk '{ s += $1 } END { print s }')"
done
awk -v a="$(field p50_us < "$W/via" | median)" -v b="$(field p50_us < "$W/direct" | median)" \
    'BEGIN { printf "  forwarding overhead at p50: %.1f us\n", a - b }'

# --- answers during refreshes --------------------------------------------------
awk '{ print $1, "A" }' "$W/names" > "$W/q"
gens() { grep -c 'generation serial' "$W/taskdns.log"; }
# phase NAME SWAP: dnsperf at QPS and the probe for SECS; SWAP=1 replaces
# the state file every 2 s meanwhile.
phase() {
	g0=$(gens)
	dnsperf -s 127.0.0.1 -p "$TD_PORT" -d "$W/q" -l "$SECS" -Q "$QPS" -c 4 \
	    > "$W/perf.$1" 2>&1 &
	dp=$!
	if [ "$2" = 1 ]; then
		(
			k=0
			while [ "$k" -lt $((SECS / 2)) ]; do
				k=$((k + 1))
				if [ $((k % 2)) = 1 ]; then src=b; else src=a; fi
				cp "$W/$src.json" "$W/next.json"
				mv "$W/next.json" "$W/state.json"
				sleep 2
			done
		) &
		sw=$!
	fi
	$PROBE "$TD_PORT" "$W/names" "$SECS" > "$W/probe.$1"
	wait "$dp" || true
	[ "$2" = 1 ] && wait "$sw"
	sleep 3
	lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$W/perf.$1")
	sent=$(sed -n 's/.*Queries sent: *\([0-9]*\).*/\1/p' "$W/perf.$1")
	printf '  %-8s generations %2d  dnsperf sent %s lost %s  probe %s\n' "$1" \
	    $(($(gens) - g0)) "$sent" "$lost" "$(cat "$W/probe.$1")"
}
echo "refresh ($N tasks, dnsperf at $QPS q/s, $SECS s per phase):"
phase idle 0
phase refresh 1
awk -v a="$(field p99_us < "$W/probe.refresh")" -v b="$(field p99_us < "$W/probe.idle")" \
    'BEGIN { printf "  p99 during refreshes / idle p99: %.2f\n", a / b }'
peak=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$TD_PID/status")
echo "  taskdns peak RSS: $peak MB"
grep 'generation serial' "$W/taskdns.log" | tail -n 1 | sed 's/^/  last: /'
