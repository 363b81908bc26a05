#!/bin/sh
# The command line and config handling: -version, --check-config,
# --print-records, config errors, states that are refused, and a bad state
# on reload leaving the served table alone.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 26
watchdog 60

like "$("$TASKDNS" -version)" '^taskdns [0-9]+\.[0-9]+\.[0-9]+$' "-version"
like "$("$TASKDNS" --version)" '^taskdns ' "--version"
r=$("$TASKDNS" -config "$TOP_SRCDIR/conf/mesos-dns-config.json" --check-config 2>&1)
is "$?" "0" "mesos-dns's own sample config is accepted"
like "$r" 'unknown key "email" ignored' "an unknown key is named in a warning"
unlike "$r" 'httpPort' "the HTTP keys are acted on now: no warning"
r=$("$TASKDNS" --config "$TOP_SRCDIR/conf/taskdns.json" --check-config 2>&1)
is "$?" "0" "conf/taskdns.json is accepted"
like "$r" 'key "IAMConfigFile" is accepted but not acted on' "keys not acted on yet are reported"

printf '{"masters":["10.0.0.1:5050"],"port":"fifty-three","IPSources":["gpu"],"ttl":-5}\n' > "$T/bad.json"
r=$("$TASKDNS" -c "$T/bad.json" --check-config 2>&1)
is "$?" "1" "an invalid config exits 1"
like "$r" 'port: expected an integer, got a string \("fifty-three"\)' "the error names the key and the value"
like "$r" 'IPSources: "gpu"' "every error is reported (IPSources)"
like "$r" 'ttl: -5 is out of range' "every error is reported (ttl)"
printf '{"masters": [' > "$T/broken.json"
r=$("$TASKDNS" -c "$T/broken.json" --check-config 2>&1)
is "$?" "1" "broken JSON exits 1"
like "$r" 'line 1' "broken JSON: where"
r=$("$TASKDNS" -c "$T/nonexistent.json" 2>&1)
like "$r" 'cannot read config .*nonexistent.json' "a missing config file is named"

printf '{"listener":"127.0.0.1","masters":["127.0.0.1:5050"]}\n' > "$T/c.json"
"$TASKDNS" -c "$T/c.json" --state-file "$TOP_SRCDIR/conf/demo-state.json" --print-records > "$T/recs"
is "$?" "0" "--print-records exits 0"
is "$(sort "$T/recs" | diff - "$T/recs")" "" "--print-records output is sorted"
like "$(cat "$T/recs")" '^SRV _web\._tcp\.marathon\.mesos\. 0 1 8080 web-[a-z0-9]{5}-s[0-4]\.marathon\.mesos\.$' \
    "--print-records: TYPE OWNER RDATA lines"
is "$(grep -vcE '^(A|AAAA|SRV) ' "$T/recs")" "0" "only A, AAAA and SRV lines"

printf '[1, 2, 3]\n' > "$T/notstate.json"
r=$("$TASKDNS" -c "$T/c.json" --state-file "$T/notstate.json" --print-records 2>&1)
is "$?" "1" "a document that is not a Mesos state: exit 1"
like "$r" 'not a Mesos state: the document is not a JSON object' "... saying why"
r=$("$TASKDNS" -c "$T/c.json" --state-file "$SHARED/fixtures/state/nonleader-0.19.1.json" --print-records 2>&1)
if [ -f "$SHARED/fixtures/state/nonleader-0.19.1.json" ]; then
	like "$r" 'not the leader' "a pre-1.0 non-leader's state is refused"
else
	skip "../shared/fixtures is absent: no captured non-leader state"
fi

# A broken state on reload: the old table keeps answering.
cp "$TOP_SRCDIR/conf/demo-state.json" "$T/state.json"
start_taskdns "\"stateFile\": \"$T/state.json\"" || exit 1
head -c 5000 "$TOP_SRCDIR/conf/demo-state.json" > "$T/state.json"
kill -HUP "$PID"
wait_log 'state refused' 5
like "$(cat "$LOG")" 'state refused, nothing changes: .*state.json: not valid JSON' "a truncated state is refused with the reason"
is "$(qs web.marathon.mesos A | wc -l | tr -d ' ')" "6" "the previous table keeps answering"
# No signal needed: a changed state file is read within a second or so.
demo_plus "$T/state.json" web watched
is "$(wait_answer watched.marathon.mesos A 172.17.0.10 3)" "172.17.0.10" "a rewritten state file is picked up without a signal"
finish_daemon
done_testing
