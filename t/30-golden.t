#!/bin/sh
# Conformance with mesos-dns: for every golden record set in
# ../shared/fixtures/golden, --print-records on the same state equals it
# (owners lower-cased; names that cannot exist in DNS dropped, by the
# shared normaliser).  Then the captured fake state is served and asked.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
# The "no pid" framework's host is localhost: its records are what
# 127.0.0.1 localhost gives, whatever this machine's /etc/hosts says.
pin_names '127.0.0.1 localhost'
watchdog 120
FX=$SHARED/fixtures
if [ ! -d "$FX/golden" ]; then
	echo "1..1"
	echo "ok 1 # SKIP ../shared/fixtures is absent (set TASKDNS_SHARED): no golden record sets to compare"
	exit 0
fi
n=$(ls "$FX"/golden/*.records | wc -l)
plan $((n * 2 + 7))
for g in "$FX"/golden/*.records; do
	name=$(basename "$g" .records)
	st=$FX/state/$name.json
	leader=$(python3 -c 'import json,sys; l=json.load(open(sys.argv[1])).get("leader",""); print(l.split("@",1)[1] if "@" in l else "")' "$st")
	printf '{"domain":"mesos","SOAMname":"ns1.mesos","listener":"127.0.0.1","masters":["%s"],"IPSources":["netinfo","mesos","host"],"resolvers":[]}\n' "$leader" > "$T/c.json"
	"$TASKDNS" -config "$T/c.json" --state-file "$st" --print-records > "$T/out" 2> "$T/err"
	is "$?" "0" "$name: --print-records exits 0"
	python3 "$SHARED/tools/normalise-records.py" < "$T/out" > "$T/ours"
	python3 "$SHARED/tools/normalise-records.py" < "$g" > "$T/gold"
	d=$(diff "$T/gold" "$T/ours" | head -n 10)
	is "$d" "" "$name: the record set equals mesos-dns's ($(wc -l < "$T/gold") records)"
done

start_taskdns "\"stateFile\": \"$FX/state/mesosdns-fake-0.19.json\", \"masters\": [\"1.2.3.4:5050\"]" || exit 1
is "$(qs toy-store.ipv6-framework.mesos A | tr '\n' ' ')" "12.0.1.2 12.0.1.3 " "fake state: task A records"
is "$(qs toy-store.ipv6-framework.mesos AAAA)" "fd01:b::1:8000:2" "fake state: task AAAA"
is "$(qs _https._liquor-store._tcp.marathon.mesos SRV | awk '{print $3}' | sort -u)" "443" "fake state: named discovery port"
# A legacy raw owner with capitals and spaces is still reachable, in
# any case (mesos-dns could not find its own mixed-case names).
is "$(qs leader.mesos A)" "1.2.3.4" "fake state: leader"
r=$(q _FRAMEWORK._tcp.ChronosWithASpaceAndMixedCase-2.0.1.mesos SRV)
like "$r" 'ANSWER: 1,' "fake state: mixed-case lookup of a framework SRV"
finish_daemon
done_testing
