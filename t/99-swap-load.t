#!/bin/sh
# Swap under load: dnsperf at a steady rate for 30 s while the state file
# is rewritten every second, alternating two states in which
# web.marathon.mesos has different addresses.  No query may go
# unanswered, every answer must be one table's or the other's whole
# rrset, and memory must stay flat.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 8
watchdog 150
need dig python3 dnsperf

# Two states of 2,000 extra tasks; web's six tasks move to other
# addresses in the second.
python3 - "$TOP_SRCDIR/conf/demo-state.json" "$T/a.json" "$T/b.json" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1]))
fw = d["frameworks"][0]
web = [t for t in fw["tasks"] if t["name"] == "web"]
for i in range(2000):
    t = copy.deepcopy(web[0])
    t["id"], t["name"] = "bulk%d.1" % i, "bulk%d" % (i % 500)
    t.pop("discovery", None)
    t["statuses"][-1]["container_status"]["network_infos"][0]["ip_addresses"] = [
        {"ip_address": "172.24.%d.%d" % (i // 250, i % 250 + 1)}]
    fw["tasks"].append(t)
json.dump(d, open(sys.argv[2], "w"))
for k, t in enumerate(web):
    t["statuses"][-1]["container_status"]["network_infos"][0]["ip_addresses"] = [
        {"ip_address": "172.31.0.%d" % (k + 1)}]
json.dump(d, open(sys.argv[3], "w"))
PY
cp "$T/a.json" "$T/state.json"
# Under ASan, freed memory waits in a quarantine (256 MB) before reuse,
# which would look like growth: reuse it at once (no effect otherwise).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
export ASAN_OPTIONS
start_taskdns "\"stateFile\": \"$T/state.json\", \"workers\": 2" || exit 1
SET1=$(q web.marathon.mesos A +short | sort -t . -k 1,1n -k 2,2n -k 3,3n -k 4,4n | paste -sd, -)
SET2=172.31.0.1,172.31.0.2,172.31.0.3,172.31.0.4,172.31.0.5,172.31.0.6
echo "# web: $SET1 or $SET2"
printf 'web.marathon.mesos A\napi.marathon.mesos A\nbulk7.marathon.mesos A\n_web._tcp.marathon.mesos SRV\nnope.marathon.mesos A\n' > "$T/q"

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
# RSS swings as two generations come and go: sample it every second, and
# compare the highest of the first samples after warm-up with the highest
# of the last ones (a leak raises the peaks; one sample can fall anywhere
# in a swing).
(
	k=0
	while [ "$k" -lt 34 ] && kill -0 "$PID" 2>/dev/null; do
		rss >> "$T/rss"
		sleep 1
		k=$((k + 1))
	done
) &
SAMPLER=$!
# The writer: a new file every second (rename, so the watcher sees it).
(
	k=0
	while [ "$k" -lt 32 ]; do
		k=$((k + 1))
		if [ $((k % 2)) = 1 ]; then src=b; else src=a; fi
		cp "$T/$src.json" "$T/next.json"
		mv "$T/next.json" "$T/state.json"
		sleep 1
	done
) &
WRITER=$!
g0=$(grep -c 'generation serial' "$LOG")
dnsperf -s 127.0.0.1 -p "$PORT" -d "$T/q" -l 30 -Q 3000 -c 2 > "$T/perf" 2>&1 &
PERF=$!
sleep 5
python3 "$TOP_SRCDIR/t/stress.py" "$PORT" swapcheck web.marathon.mesos 24 \
    "$SET1" "$SET2" > "$T/check"
wait "$PERF"
wait "$WRITER"
wait "$SAMPLER"
# Samples 6 to 13 (after warm-up), and the last eight.
warm=$(sed -n '6,13p' "$T/rss" | sort -n | tail -n 1)
end=$(tail -n 8 "$T/rss" | sort -n | tail -n 1)
gens=$(($(grep -c 'generation serial' "$LOG") - g0))
sent=$(sed -n 's/.*Queries sent: *\([0-9]*\).*/\1/p' "$T/perf")
lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$T/perf")
echo "# $gens generations; dnsperf sent $sent, lost $lost; RSS $warm -> $end kB"
sed 's/^/# check: /' "$T/check"
ok $([ "$gens" -ge 25 ] && echo 0 || echo 1) "the state changed every second ($gens generations)"
ok $([ "${sent:-0}" -ge 80000 ] && echo 0 || echo 1) "dnsperf sent a steady load ($sent)"
is "$lost" "0" "dnsperf: no query unanswered"
is "$(sed -n 's/^bad=//p' "$T/check")" "0" \
    "every answer was one table's whole rrset $(sed -n 's/^first=//p' "$T/check")"
ok $([ "$(sed -n 's/^set1=//p' "$T/check")" -gt 0 ] &&
    [ "$(sed -n 's/^set2=//p' "$T/check")" -gt 0 ] && echo 0 || echo 1) \
    "answers came from both tables"
# Within 10%, or 4 MB (an ASan build's allocator moves by a few MB; the
# generation leaked per swap that this is for grows it by over 20 MB).
ok $([ $((end * 10)) -le $((warm * 11)) ] || [ $((end - warm)) -le 4096 ] &&
    echo 0 || echo 1) \
    "memory flat: RSS peak $end kB at the end, $warm kB after warm-up (within 10% or 4 MB)"
finish_daemon
stop_watchdog
