#!/bin/sh
# Following live masters (fake masters on loopback): a new task within one
# refresh, every fault with the last good records still answering and
# recovery after it, leader changes (1.x 307, pre-1.0 non-leader), the
# 404 fallback to /master/state.json, SERVFAIL before any state.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 41
watchdog 150
DEMO=$TOP_SRCDIR/conf/demo-state.json
# newapp.json: demo + newapp; third.json: demo + newapp + third.
demo_plus "$T/newapp.json" api newapp
demo_plus "$T/third.json" api newapp third

# Before any state: SERVFAIL, never a cacheable NXDOMAIN.
start_taskdns '"masters": ["127.0.0.1:9"], "refreshSeconds": 1' || exit 1
like "$(q web.marathon.mesos A)" 'status: SERVFAIL' "no state yet: SERVFAIL"
stop_taskdns

A=$(start_fm "$DEMO")
start_taskdns "\"masters\": [\"127.0.0.1:$A\"], \"refreshSeconds\": 1, \"stateTimeoutSeconds\": 2, \"stateMaxBytes\": 1048576" || exit 1
wait_log 'generation serial .* from http' 5
is "$(qs web.marathon.mesos A | wc -l | tr -d ' ')" "6" "records from the fake master"
like "$(qs leader.mesos A)" '^127\.0\.0\.1$' "the leader is the fake master (fixture rewritten)"
fm "$A" "state=$T/newapp.json"
is "$(wait_answer newapp.marathon.mesos A '10.0.1.10' 3)" "10.0.1.10" "a new task answers within one refresh"

n=0
for f in "500:http status" "503:no leader" "hang:timeout" "truncate:connection broken|bad state" \
    "notjson:bad state" "reset:connection broken" "trickle:timeout" "huge:too large"; do
	mode=${f%%:*}
	kind=${f#*:}
	n=$((n + 1))
	fm "$A" "mode=$mode"
	wait_count 'state fetch failed \(' "$n" 8
	like "$(grep 'state fetch failed (' "$LOG" | tail -n 1)" "failed \\(($kind)\\)" \
	    "$mode: failure logged once, as '$kind'"
	is "$(qs newapp.marathon.mesos A)" "10.0.1.10" "$mode: the last good records keep answering"
	if [ $((n % 2)) -eq 1 ]; then st=$T/third.json; else st=$T/newapp.json; fi
	fm "$A" "mode=leader&state=$st"
	wait_count 'state fetch recovered' "$n" 8
	ok $? "$mode: recovery is logged"
done
is "$(wait_answer third.marathon.mesos A '' 3)" "" "after recovery the newest state is served (third is gone again)"
is "$(grep -c 'state fetch failed (timeout)' "$LOG")" "2" "each failure logged once per kind and episode, not per attempt"
unlike "$(cat "$LOG")" 'secret|Sanitizer' "no secret and no sanitizer report in the log"
finish_daemon

# Two masters; the leader moves.
B=$(start_fm "$T/third.json")
fm "$A" "mode=leader&state=$DEMO"
fm "$B" "mode=redirect&leader=127.0.0.1:$A"
start_taskdns "\"masters\": [\"127.0.0.1:$B\", \"127.0.0.1:$A\"], \"refreshSeconds\": 1, \"stateTimeoutSeconds\": 2" || exit 1
wait_log "generation serial .* from http://127.0.0.1:$A/master/state" 5
ok $? "a 307 from the first master leads to the leader"
is "$(qs third.marathon.mesos A)" "" "... whose state is served"
fm "$B" "mode=leader"
fm "$A" "mode=redirect&leader=127.0.0.1:$B"
is "$(wait_answer third.marathon.mesos A '10.0.1.10' 4)" "10.0.1.10" "the leader moves: the new leader's state is served"
fm "$B" "mode=leader&state=$T/newapp.json"
fm "$A" "mode=nonleader-old&leader=127.0.0.1:$B"
is "$(wait_answer third.marathon.mesos A '' 4)" "" "a pre-1.0 non-leader's answer sends taskdns to the leader it names"
fm "$A" "mode=503"
fm "$B" "mode=old&state=$T/third.json"
is "$(wait_answer third.marathon.mesos A '10.0.1.10' 4)" "10.0.1.10" "a 404 on /master/state falls back to /master/state.json"
like "$(cat "$LOG")" "from http://127.0.0.1:$B/master/state.json" "... and says where the state came from"
finish_daemon
done_testing
