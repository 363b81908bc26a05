#!/bin/sh
# rrl.sh - a reflection attack on loopback against taskdns, with rate
# limiting off and on, and against Knot DNS with mod-rrl at the same rate
# and slip, serving the same zone, in the same run.
#
#   contrib/bench/rrl.sh [TASKDNS] [RATE] [SLIP]
#
# RATE defaults to 100 responses a second, SLIP to 2; SECONDS (default
# 10) and QPS (default 20000) from the environment.  The zone: a 3,000
# task synthetic cluster (make-state.py); the flood asks its largest SRV
# set with EDNS 4096 from 127.0.0.99, from 8 source ports; a client at
# 127.0.5.1 asks 500 task names a second meanwhile (t/rrl.py does both).
# Printed per run: the octets sent and received at the victim, the
# amplification (received / sent), whole and truncated answers, the
# victim's retries over TCP answered, and what the client lost.
# Talks to nobody: every server listens on a free 127.0.0.1 port.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TASKDNS=${1:-$TOP/src/taskdns}
RATE=${2:-100}
SLIP=${3:-2}
SECS=${SECONDS_PER_RUN:-10}
QPS=${QPS:-20000}
W=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-rrl.XXXXXX")
PID=
KPID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$KPID" ] && kill "$KPID" 2>/dev/null; rm -rf "$W"' EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
NAME=_app-99._tcp.marathon.slave.mesos

python3 "$TOP/contrib/bench/make-state.py" 3000 0 > "$W/state.json"
start() {	# start RATE: taskdns with that rate (0: off)
	PORT=$(free_port)
	printf '{"listener": "127.0.0.1", "port": %s, "httpOn": false, "stateFile": "%s", "externalOn": false, "allowTransfer": ["127.0.0.1"], "rateLimit": {"responsesPerSecond": %s, "slip": %s}}\n' \
	    "$PORT" "$W/state.json" "$1" "$SLIP" > "$W/config.json"
	"$TASKDNS" -config "$W/config.json" 2> "$W/log" &
	PID=$!
	i=0
	until grep -q 'ready:' "$W/log"; do
		i=$((i + 1))
		[ $i -gt 600 ] && { cat "$W/log"; exit 1; }
		sleep 0.05
	done
}
stop() {
	kill "$PID"
	wait "$PID" 2> /dev/null || true
	PID=
}

start 0
"$TASKDNS" -config "$W/config.json" --print-records 2> /dev/null |
    awk '$1 == "A" && $2 ~ /\.marathon\.mesos\.$/ { print $2 }' | sort -u |
    head -n 2000 > "$W/names"
mkdir -p "$W/knot"
kdig -p "$PORT" @127.0.0.1 AXFR mesos +noall +answer +timeout=30 |
    sed '$d' > "$W/knot/mesos.zone"
KPORT=$(free_port)
cat > "$W/knot/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KPORT
    rundir: "$W/knot"
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$W/knot/knot.log"
    any: warning
database:
    storage: "$W/knot"
mod-rrl:
  - id: rrl
    rate-limit: $RATE
    slip: $SLIP
template:
  - id: default
    storage: "$W/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: mesos
    file: mesos.zone
    module: mod-rrl/rrl
EOF
knotd -c "$W/knot/knot.conf" > "$W/knot/stdout" 2>&1 &
KPID=$!
i=0
until dig +short +time=1 +tries=1 -p "$KPORT" @127.0.0.1 mesos SOA | grep -q .; do
	i=$((i + 1))
	[ $i -gt 300 ] && { cat "$W/knot/knot.log" "$W/knot/stdout"; exit 1; }
	sleep 0.1
done

run() {	# run LABEL PORT
	r=$(python3 "$TOP/t/rrl.py" "$2" "$NAME" SRV 127.0.0.99 "$QPS" "$SECS" \
	    127.0.5.1 500 "$W/names")
	printf '%s\n' "$r" | tr ' ' '\n' | awk -F= -v l="$1" '
	    { v[$1] = $2 }
	    END { printf "%-22s %11s %11s %6s %7s %7s %9s %6s\n", l, v["sent"],
		v["received"], v["amp"], v["full"], v["tc"],
		v["tcp_answered"] "/" v["tcp_retries"], v["lost"] }'
}
printf '%-22s %11s %11s %6s %7s %7s %9s %6s\n' run sent received amp full tc \
    tcp_retry lost
run "taskdns, off" "$PORT"
stop
start "$RATE"
run "taskdns, $RATE/s slip $SLIP" "$PORT"
run "knot mod-rrl, $RATE/s" "$KPORT"
stop
