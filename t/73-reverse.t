#!/bin/sh
# 73-reverse.t - reverse zones (issue 17): reverseZones makes taskdns
# authoritative for the in-addr.arpa / ip6.arpa zones of each prefix (a
# /12 as sixteen /16 zones), with PTRs by the README's rule; every PTR
# target resolves to a set holding the address (forward-confirmed, for the
# demo and every fixture state); an address with nothing to point to is
# NXDOMAIN with the reverse zone's SOA; a reverse name outside the
# prefixes is forwarded; the event stream's changes reach the PTRs.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need python3 curl
plan 25
watchdog 240
DEMO=$TOP_SRCDIR/conf/demo-state.json
FCR="python3 $TOP_SRCDIR/t/fcrdns.py"
REV='"reverseZones": ["10.0.0.0/12", "172.16.0.0/12", "127.0.0.0/8"]'

start_upstream echo
start_taskdns "\"stateFile\": \"$DEMO\", $REV,
    \"masters\": [\"127.0.0.1:5050\", \"10.0.0.5:5050\"],
    \"httpPort\": HTTP_PORT, \"httpListener\": \"127.0.0.1\",
    \"resolvers\": [\"127.0.0.1:$UP_PORT\"]" || exit 1
"$TASKDNS" -config "$T/config.json" --print-records > "$T/demo.records" 2>&1

# The rule, address by address.
is "$(qs -x 10.0.1.10 PTR)" "slave.mesos." "an agent's address -> slave.D."
is "$(qs -x 127.0.0.1 PTR | tr '\n' ' ')" "leader.mesos. master0.mesos. " \
    "the leader's -> leader.D. and its masterN.D."
is "$(qs -x 10.0.0.5 PTR)" "master1.mesos." "another master's -> masterN.D."
task=$(awk '$1 == "A" && $3 ~ /^172\.17\./ && $2 ~ /-[a-z0-9]+-s[0-9]+\.[a-z]+\.mesos\.$/ { print $2, $3; exit }' "$T/demo.records")
ip=${task#* }
name=${task% *}
is "$(qs -x "$ip" PTR)" "$name" \
    "a task's own address (docker) -> its canonical name ($name)"
out=$($FCR "$PORT" "$T/demo.records" 10.0.0.0/12 172.16.0.0/12 127.0.0.0/8)
like "$out" 'fail 0$' "the demo: every PTR is forward-confirmed ($out)"
printf '%s\n' "$out" | grep -v '^addresses' | head -n 5 | sed 's/^/# /'

# Zones and negative answers.
out=$(q 9.9.0.10.in-addr.arpa PTR)
like "$out" 'status: NXDOMAIN' "an address with nothing to point to: NXDOMAIN"
like "$out" '0\.10\.in-addr\.arpa\..*SOA.*ns1\.mesos\. root\.ns1\.mesos\.' \
    "...with the reverse zone's SOA (a /12: its /16 zones)"
like "$(q 9.9.15.10.in-addr.arpa PTR)" '15\.10\.in-addr\.arpa\..*SOA' \
    "the sixteenth /16 of 10.0.0.0/12 is a zone too"
like "$(q 0.10.in-addr.arpa NS +norec)" 'flags: qr aa.*ANSWER: 1' \
    "a reverse zone answers its NS with authority"
like "$(q -x 192.0.2.1 PTR)" 'TXT.*q=1\.2\.0\.192\.in-addr\.arpa via' \
    "a reverse name outside reverseZones is forwarded (the upstream answers)"
like "$(q -x 10.16.0.1 PTR)" 'TXT' "...and one just past a prefix too"
q leader.mesos A > /dev/null
m=$(curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | grep '^taskdns_zone_queries_total')
like "$m" 'zone="0\.10\.in-addr\.arpa\."\} [1-9]' \
    "/metrics counts queries per zone: a reverse zone..."
like "$m" 'zone="mesos\."\} [1-9]' \
    "...and the Mesos zone ($(printf '%s' "$m" | tr '\n' ' '))"
finish_daemon

# maxRecordsPerName bounds the PTRs of one address.
start_taskdns "\"stateFile\": \"$DEMO\", $REV, \"maxRecordsPerName\": 1,
    \"externalOn\": false" || exit 1
is "$(qs -x 127.0.0.1 PTR | wc -l | tr -d ' ')" "1" \
    "maxRecordsPerName: one PTR for the leader's address"
stop_taskdns

# The event stream: a task's PTR comes with its TASK_RUNNING and goes.
V1="python3 $TOP_SRCDIR/t/v1state.py"
LAG="python3 $TOP_SRCDIR/t/lag.py"
FW=6b1f0c5e-2d3a-4c1b-8e7f-9a0b1c2d3e4f-0001
S0=4a7d1f52-0c5e-4b8e-9d65-2f5b7a0c1e90-S0
demo_plus "$T/plus.json" api newapp
$V1 subscribed "$DEMO" 1 > "$T/sub.json"
$V1 added "$T/plus.json" newapp.1 > "$T/add.json"
$V1 updated newapp.1 "$FW" "$S0" TASK_RUNNING 10.0.9.9 >> "$T/add.json"
$V1 updated newapp.1 "$FW" "$S0" TASK_KILLED - > "$T/kill.json"
A=$(start_fm "$DEMO")
fm "$A" "stream=$T/sub.json"
start_taskdns "\"masters\": [\"127.0.0.1:$A\"], $REV, \"externalOn\": false" ||
    exit 1
wait_log 'generation serial .* from http://127.0.0.1:[0-9]*/api/v1' 5
ok $? "SUBSCRIBED: a generation from the event stream"
is "$(qs -x 10.0.1.10 PTR)" "slave.mesos." "the snapshot's PTRs are served"
$LAG "$PORT" "$A" "$T/add.json" newapp.marathon.mesos present > /dev/null
_i=0
while [ -z "$(qs -x 10.0.9.9 PTR)" ] && [ "$_i" -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
is "$(qs -x 10.0.9.9 PTR | sed 's/-[a-z0-9]*-s0\./-H-s0./')" \
    "newapp-H-s0.marathon.mesos." "TASK_RUNNING: the task's address has its PTR"
c=$(qs -x 10.0.9.9 PTR)
is "$(qs "$c" A)" "10.0.9.9" "...and the PTR's name has the address"
$LAG "$PORT" "$A" "$T/kill.json" newapp.marathon.mesos absent > /dev/null
like "$(q -x 10.0.9.9 PTR)" 'status: NXDOMAIN' \
    "TASK_KILLED: the PTR is gone with the task (patched generation)"
is "$(qs -x 10.0.1.10 PTR)" "slave.mesos." "...and the others stay"
like "$(cat "$LOG")" 'patched|generation serial' "generations follow the events"
stop_taskdns

# Every fixture state: each address's PTRs forward-confirm.
SH=${TASKDNS_SHARED:-$TOP_SRCDIR/../shared}
if [ ! -d "$SH/fixtures/state" ]; then
	skip "$SH/fixtures is absent (set TASKDNS_SHARED): no fixture states"
	skip "$SH/fixtures is absent: every fixture state's PTRs not checked"
	done_testing
fi
ok 0 "the fixture states are there to check ($SH/fixtures/state)"
fails=0 total=0 summary=
for st in "$SH"/fixtures/state/*.json; do
	# Every /8 and every IPv6 /16 its records use, as reverse zones.
	printf '{"stateFile": "%s"}\n' "$st" > "$T/p.json"
	"$TASKDNS" -config "$T/p.json" --print-records > "$T/p.records" 2>/dev/null
	nets=$(python3 -c '
import ipaddress, sys
s = set()
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) == 3 and f[0] in ("A", "AAAA"):
        ip = ipaddress.ip_address(f[2])
        s.add(str(ipaddress.ip_network("%s/%d" % (ip, 8 if ip.version == 4 else 16), strict=False)))
print(" ".join(sorted(s)))' "$T/p.records")
	[ -n "$nets" ] || continue
	rz=$(printf '"%s",' $nets | sed 's/,$//')
	start_taskdns "\"stateFile\": \"$st\", \"reverseZones\": [$rz],
	    \"externalOn\": false" || { fails=$((fails + 1)); continue; }
	"$TASKDNS" -config "$T/config.json" --print-records > "$T/p.records" 2>/dev/null
	out=$($FCR "$PORT" "$T/p.records" $nets)
	total=$((total + 1))
	printf '%s\n' "$out" | grep -q 'fail 0$' || {
		fails=$((fails + 1))
		printf '%s\n' "$out" | tail -n 5 | sed "s|^|# $(basename "$st"): |"
	}
	summary="$summary $(basename "$st" .json):$(printf '%s' "$out" | tail -n 1 | awk '{ print $6 }')"
	stop_taskdns
done
is "$fails" "0" "every fixture state's PTRs forward-confirm ($total states; ptrs:$summary)"
done_testing
