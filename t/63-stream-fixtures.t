#!/bin/sh
# The real operator-API streams of ../shared/fixtures/operator-api, served
# by the fake master as they were captured (a record a line): taskdns
# accepts every record, and the tasks it serves (/v1/enumerate) are the
# running ones of known agents and frameworks after the last event, as a
# plain reading of the same stream finds them.  hostLookup is off: the
# fixtures name other people's hosts.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need python3
need curl
if [ ! -d "$SHARED/fixtures/operator-api" ]; then
	echo "1..0 # SKIP ../shared/fixtures is absent (set TASKDNS_SHARED): no captured streams to replay"
	exit 0
fi
plan 25
watchdog 90
DEMO=$TOP_SRCDIR/conf/demo-state.json

# expect FILE: the ids of the tasks that run at the end of the stream.
expect() {
	python3 - "$1" <<'PY'
import json, sys
tasks, fws, agents = {}, set(), set()
def vid(o):
    return (o or {}).get("value")
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    r = json.loads(line)
    t = r.get("type")
    if t in ("SUBSCRIBED", "GET_STATE"):
        st = (r.get("subscribed") or {}).get("get_state") or r.get("get_state") or {}
        tasks, fws, agents = {}, set(), set()
        gt = st.get("get_tasks") or {}
        for k in gt.get("tasks", []) + gt.get("launched_tasks", []):
            tasks[vid(k["task_id"])] = [vid(k.get("framework_id")), vid(k.get("agent_id")), k.get("state")]
        for f in (st.get("get_frameworks") or {}).get("frameworks", []):
            fws.add(vid(f["framework_info"]["id"]))
        for a in (st.get("get_agents") or {}).get("agents", []):
            agents.add(vid(a["agent_info"]["id"]))
    elif t == "TASK_ADDED":
        k = r["task_added"]["task"]
        tasks[vid(k["task_id"])] = [vid(k.get("framework_id")), vid(k.get("agent_id")), k.get("state")]
    elif t == "TASK_UPDATED":
        u = r["task_updated"]
        tid = vid((u.get("status") or {}).get("task_id")) or vid(u.get("task_id"))
        tasks[tid][2] = u.get("state")
    elif t == "AGENT_ADDED":
        agents.add(vid(r["agent_added"]["agent"]["agent_info"]["id"]))
    elif t == "AGENT_REMOVED":
        agents.discard(vid(r["agent_removed"]["agent_id"]))
    elif t in ("FRAMEWORK_ADDED", "FRAMEWORK_UPDATED"):
        fws.add(vid(r[t.lower()]["framework"]["framework_info"]["id"]))
    elif t == "FRAMEWORK_REMOVED":
        f = vid(r["framework_removed"]["framework_info"]["id"])
        fws.discard(f)
        tasks = {i: v for i, v in tasks.items() if v[0] != f}
for i in sorted(i for i, (f, a, s) in tasks.items()
                if s == "TASK_RUNNING" and f in fws and a in agents):
    print(i)
PY
}

served() {
	curl -sf "http://127.0.0.1:$HTTP_PORT/v1/enumerate" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for i in sorted(t["id"] for f in d["frameworks"] or [] for t in f["tasks"]):
    print(i)'
}

# The GET_STATE answers (one of them DC/OS's, tasks under launched_tasks)
# as the snapshot of a stream.
for f in unhealthy vip-labels; do
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"type": "SUBSCRIBED", "subscribed": {"get_state": d["get_state"],
    "heartbeat_interval_seconds": 15}}, separators=(",", ":")))' \
	    "$SHARED/fixtures/operator-api/$f.json" > "$T/$f.json"
done

A=$(start_fm "$DEMO")
for f in operator-api hello-overlay recovered-agents unhealthy vip-labels; do
	fx=$SHARED/fixtures/operator-api/$f.json
	[ -f "$T/$f.json" ] && fx=$T/$f.json
	fm "$A" "stream=$fx&drop=1"
	start_taskdns "\"masters\": [\"127.0.0.1:$A\"], \"hostLookup\": false, \"httpPort\": HTTP_PORT, \"httpListener\": \"127.0.0.1\"" || exit 1
	wait_log 'generation serial .* from http://127.0.0.1:[0-9]*/api/v1' 5
	ok $? "$f: subscribed and served"
	want=$(expect "$fx")
	i=0
	while [ "$(served)" != "$want" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	is "$(served)" "$want" "$f: the running tasks after the last event ($(printf '%s\n' "$want" | grep -c .))"
	unlike "$(cat "$LOG")" 'bad_record|stopped|failed' "$f: every record accepted"
	finish_daemon
done
done_testing
