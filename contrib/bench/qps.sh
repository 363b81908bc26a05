#!/bin/sh
# qps.sh - UDP answers per second of taskdns against NSD (and Knot DNS when
# knotd is installed) serving the same records on the same machine.
#
#   contrib/bench/qps.sh [-t SECONDS] [-r ROUNDS] [-n TASKS] [-l ADDR] [TASKDNS]
#
# -t  seconds per dnsperf run (10)      -r  rounds (3)
# -n  tasks in the synthetic state (10000)
# -l  taskdns's listener (127.0.0.1); 0.0.0.0, the default config's, also
#     measures the wildcard path, where each UDP answer carries the address
#     its query came to (queries still go to 127.0.0.1)
# TASKDNS defaults to src/taskdns.
#
# The records are taskdns's own for a synthetic state (make-state.py):
# --print-records, turned into a zone file for NSD (and Knot).  Each server
# gets as many threads as the machine has cores (NSD server-count, Knot
# udp-workers, taskdns workers), rate limiting off.  Two workloads: "A" (A
# queries for task names) and "mixed" (60% A, 25% SRV, 15% names that do
# not exist).  dnsperf runs against each server in turn, A B A B, ROUNDS
# times, so a shared machine's noise falls on all alike; the summary is the
# median of each and the ratio taskdns / NSD.  Everything listens on free
# 127.0.0.1 ports and stops at the end.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SECS=10
ROUNDS=3
N=10000
LISTENER=127.0.0.1
while getopts t:r:n:l: o; do
	case $o in
	t) SECS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	n) N=$OPTARG ;;
	l) LISTENER=$OPTARG ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
TASKDNS=${1:-$TOP/src/taskdns}
for tool in nsd dnsperf dig python3; do
	command -v "$tool" > /dev/null || { echo "qps.sh: $tool is needed"; exit 1; }
done
CORES=$(nproc)
W=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-qps.XXXXXX")
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; sleep 0.2; rm -rf "$W"' EXIT

free_port() { python3 -c 'import random; print(random.randint(20000, 60000))'; }

# --- the records, as taskdns makes them ----------------------------------
python3 "$TOP/contrib/bench/make-state.py" "$N" > "$W/state.json"
TD_PORT=$(free_port)
printf '{"listener": "%s", "port": %s, "httpOn": false, "externalOn": false, "stateFile": "%s", "workers": %s}\n' \
    "$LISTENER" "$TD_PORT" "$W/state.json" "$CORES" > "$W/taskdns.json"
"$TASKDNS" -config "$W/taskdns.json" --print-records > "$W/records" 2> /dev/null
{
	printf '$ORIGIN mesos.\n$TTL 60\n'
	printf '@ IN SOA ns1.mesos. root.ns1.mesos. 1 60 360 86400 60\n'
	printf '@ IN NS ns1.mesos.\n'
	awk '$1 == "A" || $1 == "AAAA" { print $2, "IN", $1, $3 }
	    $1 == "SRV" { print $2, "IN SRV", $3, $4, $5, $6 }' "$W/records"
} > "$W/mesos.zone"

# --- the queries -----------------------------------------------------------
python3 - "$W" <<'PY'
import random, sys
w = sys.argv[1]
a, srv = set(), set()
for line in open(w + "/records"):
    f = line.split()
    if f[0] == "A":
        a.add(f[1])
    elif f[0] == "SRV":
        srv.add(f[1])
a, srv = sorted(a), sorted(srv)
rnd = random.Random(42)
with open(w + "/q.A", "w") as out:
    for _ in range(200000):
        out.write("%s A\n" % rnd.choice(a))
with open(w + "/q.mixed", "w") as out:
    for i in range(200000):
        x = rnd.random()
        if x < 0.60:
            out.write("%s A\n" % rnd.choice(a))
        elif x < 0.85:
            out.write("%s SRV\n" % rnd.choice(srv))
        else:
            out.write("nx-%d.marathon.mesos. A\n" % i)
PY

# --- the servers -------------------------------------------------------------
# up PORT NAME: wait until the server answers for ns1.mesos.
up() {
	i=0
	while [ -z "$(dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 ns1.mesos A 2>/dev/null)" ]; do
		i=$((i + 1))
		[ "$i" -gt 100 ] && { echo "qps.sh: $2 did not start"; cat "$W/$2.log" 2>/dev/null; exit 1; }
		sleep 0.1
	done
}

"$TASKDNS" -config "$W/taskdns.json" 2> "$W/taskdns.log" &
PIDS="$PIDS $!"
up "$TD_PORT" taskdns

NSD_PORT=$(free_port)
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
	server-count: $CORES
	verbosity: 0
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: mesos
	zonefile: mesos.zone
CONF
nsd -c "$W/nsd.conf" -d > /dev/null 2>&1 &
PIDS="$PIDS $!"
up "$NSD_PORT" nsd
SERVERS="nsd:$NSD_PORT taskdns:$TD_PORT"

if command -v knotd > /dev/null; then
	KNOT_PORT=$(free_port)
	mkdir -p "$W/knot"
	cat > "$W/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: $CORES
    rundir: "$W/knot"
database:
    storage: "$W/knot"
zone:
  - domain: mesos
    file: "$W/mesos.zone"
CONF
	knotd -c "$W/knot.conf" > "$W/knot.log" 2>&1 &
	PIDS="$PIDS $!"
	up "$KNOT_PORT" knot
	SERVERS="$SERVERS knot:$KNOT_PORT"
else
	echo "(knotd is not installed: Knot DNS left out)"
fi

# Every server gives the same answer.
first=$(awk 'NR == 1 { print $1 }' "$W/q.A")
for s in $SERVERS; do
	dig +short -p "${s#*:}" @127.0.0.1 "$first" A | sort > "$W/check.${s%%:*}"
done
cmp -s "$W/check.nsd" "$W/check.taskdns" || {
	echo "qps.sh: NSD and taskdns answer $first differently"; exit 1; }

# --- the runs --------------------------------------------------------------
echo "$(grep -c . "$W/records") records from $N tasks; $CORES cores;" \
    "dnsperf $SECS s a run, $ROUNDS rounds"
printf '%-6s %-8s %5s %10s %7s %8s\n' load server round qps lost avg_us
for load in A mixed; do
	for r in $(seq "$ROUNDS"); do
		for s in $SERVERS; do
			name=${s%%:*}
			dnsperf -s 127.0.0.1 -p "${s#*:}" -d "$W/q.$load" \
			    -l "$SECS" -c 4 -q 200 > "$W/out" 2>&1 || true
			qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$W/out")
			lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$W/out")
			avg=$(sed -n 's/.*Average Latency (s): *\([0-9.]*\).*/\1/p' "$W/out")
			[ -n "$qps" ] || { echo "dnsperf failed:"; cat "$W/out"; exit 1; }
			printf '%-6s %-8s %5s %10.0f %7s %8.0f\n' "$load" "$name" \
			    "$r" "$qps" "$lost" "$(awk -v a="$avg" 'BEGIN { print a * 1e6 }')"
			echo "$load $name $qps" >> "$W/results"
		done
	done
done

# median LOAD NAME
median() {
	awk -v l="$1" -v n="$2" '$1 == l && $2 == n { print $3 }' "$W/results" |
	    sort -n | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo
echo "median qps, and the ratio taskdns / NSD:"
for load in A mixed; do
	line=$(printf '%-6s' "$load")
	for s in $SERVERS; do
		line="$line $(printf '%s %.0f' "${s%%:*}" "$(median "$load" "${s%%:*}")")"
	done
	echo "$line  ratio $(awk -v t="$(median "$load" taskdns)" \
	    -v n="$(median "$load" nsd)" 'BEGIN { printf "%.2f", t / n }')"
done
