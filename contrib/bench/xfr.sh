#!/bin/sh
# xfr.sh - zone transfers out of taskdns, against NSD serving the same zone
# in the same run.
#
#   contrib/bench/xfr.sh [TASKDNS] [TASKS]
#
# TASKS defaults to 100000 (make-state.py, deterministic: 1.14M records);
# ROUNDS (environment, default 3) transfers are timed per server.  taskdns
# serves the state from a file; its AXFR, written as a zone file, is what
# NSD serves (so both hand out the same records).  Each round is one AXFR
# from each server in turn, by contrib/bench/axfr.py (it parses nothing
# but the first record, so the server and the socket are what is timed).
# Printed per server: the median wall time of the transfer, the server's
# CPU milliseconds for it (/proc utime + stime, all of NSD's processes)
# and the octets and messages sent; for taskdns also the growth of its RSS
# during a transfer (sampled every 10 ms) against the size of the table it
# serves (taskdns_table_bytes).  Then one task is killed (the state file
# replaced): the IXFR from the serial before is timed and sized, and the
# generation's publish time (the journal's diff included) read off the log.
# Talks to nobody: both servers listen on free 127.0.0.1 ports.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TASKDNS=${1:-$TOP/src/taskdns}
TASKS=${2:-100000}
ROUNDS=${ROUNDS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-xfr.XXXXXX")
PID=
NPID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$NPID" ] && kill "$NPID" 2>/dev/null; rm -rf "$W"' EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
tree() {	# pid $1 and all below it
	echo "$1"
	for c in $(pgrep -P "$1"); do
		tree "$c"
	done
}
cpu() {	# utime + stime of pid $1 and all below it, in clock ticks
	for p in $(tree "$1"); do
		# After the name, which may hold spaces ("nsd: xfrd").
		sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }'
	done | awk '{ s += $1 } END { print s }'
}
hz=$(getconf CLK_TCK)

python3 "$TOP/contrib/bench/make-state.py" "$TASKS" 0 > "$W/state.json"
PORT=$(free_port)
HPORT=$(free_port)
printf '{"listener": "127.0.0.1", "port": %s, "httpOn": true, "httpListener": "127.0.0.1", "httpPort": %s, "stateFile": "%s", "refreshSeconds": 3600, "externalOn": false, "allowTransfer": ["127.0.0.1"], "workers": 1}\n' \
    "$PORT" "$HPORT" "$W/state.json" > "$W/config.json"
"$TASKDNS" -config "$W/config.json" 2> "$W/log" &
PID=$!
i=0
until grep -q 'ready:' "$W/log"; do
	i=$((i + 1))
	[ $i -gt 1200 ] && { cat "$W/log"; exit 1; }
	sleep 0.05
done
serial=$(dig +short -p "$PORT" @127.0.0.1 mesos SOA | awk '{ print $3 }')
table=$(curl -s "http://127.0.0.1:$HPORT/metrics" |
    awk '$1 == "taskdns_table_bytes" { print $2 }')

# The zone for NSD: taskdns's AXFR (its last SOA, the repeat, left out).
mkdir -p "$W/nsd"
kdig -p "$PORT" @127.0.0.1 AXFR mesos +noall +answer +timeout=60 |
    sed '$d' > "$W/nsd/mesos.zone"
records=$(wc -l < "$W/nsd/mesos.zone")
NPORT=$(free_port)
cat > "$W/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$NPORT
	port: $NPORT
	username: ""
	chroot: ""
	zonesdir: "$W/nsd"
	database: ""
	pidfile: "$W/nsd/nsd.pid"
	xfrdfile: "$W/nsd/xfrd.state"
	zonelistfile: "$W/nsd/zone.list"
	logfile: "$W/nsd/nsd.log"
	server-count: 1
	rrl-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: mesos
	zonefile: mesos.zone
	provide-xfr: 127.0.0.1 NOKEY
EOF
nsd -c "$W/nsd/nsd.conf" -d > "$W/nsd/stdout" 2>&1 &
NPID=$!
i=0
until [ "$(dig +short +time=1 +tries=1 -p "$NPORT" @127.0.0.1 mesos SOA |
    awk '{ print $3 }')" = "$serial" ]; do
	i=$((i + 1))
	[ $i -gt 1200 ] && { cat "$W/nsd/nsd.log" "$W/nsd/stdout"; exit 1; }
	sleep 0.1
done

# rss_watch PID OUT: the largest VmRSS (kB) while $W/watch exists.
rss_watch() {
	max=0
	while [ -e "$W/watch" ]; do
		r=$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status")
		[ "$r" -gt "$max" ] && max=$r
		sleep 0.01
	done
	echo "$max" > "$2"
}

# one SERVER PORT PID: one timed AXFR; prints wall_ms cpu_ms bytes msgs.
one() {
	opid=$3
	c0=$(cpu "$opid")
	set -- $(python3 "$TOP/contrib/bench/axfr.py" "$2" mesos)
	c1=$(cpu "$opid")
	echo "$1 $(( (c1 - c0) * 1000 / hz )) $2 $3"
}

r=1
: > "$W/td"
: > "$W/nsd.t"
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID/status")
while [ $r -le "$ROUNDS" ]; do
	touch "$W/watch"
	rss_watch "$PID" "$W/rss.$r" &
	wp=$!
	one taskdns "$PORT" "$PID" >> "$W/td"
	rm -f "$W/watch"
	wait "$wp"
	one nsd "$NPORT" "$NPID" >> "$W/nsd.t"
	r=$((r + 1))
done
rss1=$(cat "$W"/rss.* | sort -n | tail -n 1)

printf '%-8s %8s %8s %12s %6s\n' server wall_ms cpu_ms bytes msgs
med() { sort -n "$1" | awk -v m=$(( (ROUNDS + 1) / 2 )) 'NR == m'; }
printf '%-8s %8s %8s %12s %6s\n' taskdns $(med "$W/td")
printf '%-8s %8s %8s %12s %6s\n' nsd $(med "$W/nsd.t")
tw=$(med "$W/td" | awk '{ print $1 }')
nw=$(med "$W/nsd.t" | awk '{ print $1 }')
awk -v t="$tw" -v n="$nw" -v rec="$records" 'BEGIN {
    printf "%s records; taskdns/NSD wall time: %.2f (below 1: taskdns faster)\n",
	rec, t / n }'
awk -v a="$rss0" -v b="$rss1" -v t="$table" 'BEGIN {
    printf "taskdns RSS %.1f MB before, %.1f MB at most during: +%.1f MB, %.1f%% of the table (%.1f MB)\n",
	a / 1024, b / 1024, (b - a) / 1024, (b - a) * 1024 * 100 / t, t / 1048576 }'

# One task killed: the IXFR from the serial before.
python3 - "$W/state.json" "$W/state2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for fw in d["frameworks"]:
    if fw.get("tasks"):
        fw["tasks"] = fw["tasks"][1:]
        break
json.dump(d, open(sys.argv[2], "w"))
PY
mv "$W/state2.json" "$W/state.json"
i=0
until [ "$(grep -c 'generation serial' "$W/log")" -ge 2 ]; do
	i=$((i + 1))
	[ $i -gt 1200 ] && { cat "$W/log"; exit 1; }
	sleep 0.05
done
pub=$(grep 'generation serial' "$W/log" | tail -n 1 |
    sed -n 's/.*publish \([0-9.]*\) s.*/\1/p')
t0=$(date +%s%N)
kdig -p "$PORT" @127.0.0.1 IXFR="$serial" mesos +noall +answer +stats \
    +timeout=60 > "$W/ixfr" 2>&1
t1=$(date +%s%N)
ib=$(sed -n 's/.*Received \([0-9]*\) B.*/\1/p' "$W/ixfr")
ir=$(grep -cv '^;\|^$' "$W/ixfr")
echo "one task killed: IXFR $ib bytes ($ir records) in $(( (t1 - t0) / 1000 )) us, against $(med "$W/td" | awk '{ print $3 }') for the zone; the generation's publish (journal diff included) $pub s"
