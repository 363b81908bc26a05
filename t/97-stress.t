#!/bin/sh
# Load and hostile traffic: 1,000 idle TCP connections, a client that never
# reads its answers, storms of hostile queries, and 1,000 TCP clients
# against a process limited to 256 descriptors.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 25
watchdog 240
need dig python3 prlimit curl

STRESS="python3 $TOP_SRCDIR/t/stress.py"
STATE=$TOP_SRCDIR/conf/demo-state.json
# kB resident, and CPU ticks used, of the daemon.
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
metric() {
	curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}

# Room for a thousand connections on both sides.
ulimit -n 4096
start_taskdns "\"stateFile\": \"$STATE\", \"workers\": 2, \"tcpMaxConnections\": 2000, \"tcpIdleSeconds\": 60, \"httpPort\": HTTP_PORT" ||
    exit 1

# --- 1,000 idle connections -------------------------------------------------
$STRESS "$PORT" hold 1000 30 "$T/ready" > "$T/hold.out" &
HOLD=$!
wait_file "$T/ready" 60
is "$(cat "$T/ready")" "1000" "1,000 idle TCP connections open"
like "$(q web.marathon.mesos A)" 'ANSWER: 6,' "UDP answered while they are held"
like "$(q web.marathon.mesos A +tcp)" 'ANSWER: 6,' \
    "a new TCP query answered while they are held"
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

# --- a client that never reads ------------------------------------------------
r0=$(rss)
$STRESS "$PORT" noread web.marathon.mesos 200000 4 > "$T/noread.out"
r1=$(rss)
sent=$(sed -n 's/^sent=//p' "$T/noread.out")
echo "# non-reading client: $sent queries written; RSS $r0 -> $r1 kB"
ok $([ "$sent" -lt 200000 ] && echo 0 || echo 1) \
    "the server stops reading a client that does not read ($sent sent)"
ok $([ $((r1 - r0)) -lt 16384 ] && echo 0 || echo 1) \
    "and holds its memory: RSS grew $((r1 - r0)) kB (< 16 MB)"
like "$(q web.marathon.mesos A +tcp)" 'ANSWER: 6,' "other TCP clients served"

# --- hostile query storms ------------------------------------------------------
r0=$(rss)
for kind in random long loop any edns; do
	$STRESS "$PORT" storm "$kind" 2000 web.marathon.mesos > "$T/storm.$kind"
	bad=$(sed -n 's/^bad=//p' "$T/storm.$kind")
	first=$(sed -n 's/^first=//p' "$T/storm.$kind")
	is "$bad" "0" "storm of 2,000 '$kind' queries: every one answered or dropped per the RFCs $first"
done
r1=$(rss)
echo "# storms: RSS $r0 -> $r1 kB"
ok $([ $((r1 - r0)) -lt 8192 ] && echo 0 || echo 1) \
    "10,000 hostile queries later, RSS grew $((r1 - r0)) kB (< 8 MB)"
ok $(kill -0 "$PID" 2>/dev/null; echo $?) "the process is still up"
like "$(q web.marathon.mesos A)" 'ANSWER: 6,' "and answering"
finish_daemon

# --- 256 descriptors, 1,000 clients ---------------------------------------------
TASKDNS_WRAP="prlimit --nofile=256:256" start_taskdns "\"stateFile\": \"$STATE\", \"workers\": 2, \"tcpMaxConnections\": 2000, \"tcpIdleSeconds\": 60, \"httpPort\": HTTP_PORT" ||
    exit 1
rm -f "$T/ready"
$STRESS "$PORT" hold 1000 12 "$T/ready" > "$T/hold.out" &
HOLD=$!
wait_file "$T/ready" 60
sleep 1
t0=$(ticks)
sleep 2
t1=$(ticks)
sed "s/^/# hold: /" "$T/hold.out"
echo "# $(cat "$T/ready") clients connected; CPU over 2 s: $((t1 - t0)) ticks"
ok $([ "$(cat "$T/ready")" -gt 256 ] && echo 0 || echo 1) \
    "more clients connected than 256 descriptors hold ($(cat "$T/ready") of 1,000; the rest wait on SYN retries)"
ok $([ $((t1 - t0)) -lt 50 ] && echo 0 || echo 1) \
    "out of descriptors, accept is backed off, not spun on ($((t1 - t0)) ticks in 2 s)"
errs=$(metric taskdns_dns_tcp_accept_errors_total)
ok $([ "${errs:-0}" -gt 0 ] && echo 0 || echo 1) \
    "accept errors are counted ($errs)"
like "$(cat "$LOG")" 'TCP accept failed, pausing new connections' \
    "and logged"
like "$(q web.marathon.mesos A)" 'ANSWER: 6,' "UDP answered meanwhile"
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
i=0
until r=$(q web.marathon.mesos A +tcp) && echo "$r" | grep -q 'ANSWER: 6,'; do
	i=$((i + 1))
	[ "$i" -ge 20 ] && break
	sleep 0.5
done
like "$r" 'ANSWER: 6,' "once the clients leave, TCP is answered again"
ok $(kill -0 "$PID" 2>/dev/null; echo $?) "no crash"
finish_daemon
stop_watchdog
