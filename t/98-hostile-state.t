#!/bin/sh
# Hostile states, written over the state file one after another: each is
# refused or capped with a logged reason, the process stays up, and the
# records already served keep being served.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 30
watchdog 180
need dig python3

GOOD=$TOP_SRCDIR/conf/demo-state.json
cp "$GOOD" "$T/state.json"
start_taskdns "\"stateFile\": \"$T/state.json\", \"maxTasks\": 100, \"maxRecordsPerName\": 20" ||
    exit 1

# put NAME: make the hostile state NAME (python below) the state file.
put() {
	python3 - "$GOOD" "$1" "$T/next.json" <<'PY'
import copy, json, sys
good, kind, out = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
fw = good["frameworks"][0]
web = [t for t in fw["tasks"] if t["name"] == "web"][0]
def task(name, i, **kw):
    t = copy.deepcopy(web)
    t["id"], t["name"] = "%s.%d" % (name, i), name
    t.pop("discovery", None)
    t.update(kw)
    return t
def dump(d):
    open(out, "w").write(json.dumps(d))
if kind == "deep":
    open(out, "w").write('{"frameworks": ' + "[" * 5000 + "]" * 5000 + "}")
elif kind == "bigstring":
    t = task("big", 1)
    t["name"] = "x" * (10 << 20)
    fw["tasks"].append(t)
    dump(good)
elif kind == "types":
    fw["tasks"].append(task("typed", 1, slave_id=12345))
    fw["tasks"].append(task("typed2", 1, resources={"ports": 31000}))
    fw["tasks"].append(task(4242, 1))
    dump(good)
elif kind == "dupkeys":
    t = json.dumps(task("first", 1))
    t = t[:-1] + ', "name": "second"}'
    s = json.dumps(good)
    i = s.index('"tasks": [') + len('"tasks": [')
    open(out, "w").write(s[:i] + t + ", " + s[i:])
elif kind == "utf8":
    s = json.dumps(good).encode()
    i = s.index(b'"web"')
    open(out, "wb").write(s[:i + 1] + b"\xff\xfe\xc3" + s[i + 1:])
elif kind == "onename":
    fw["tasks"] = [task("same", i) for i in range(120)]
    dump(good)
elif kind == "samename":
    for i in range(30):
        t = task("same", i)
        t["statuses"][-1]["container_status"]["network_infos"][0][
            "ip_addresses"] = [{"ip_address": "172.25.0.%d" % (i + 1)}]
        fw["tasks"].append(t)
    dump(good)
elif kind == "ports":
    t = task("allports", 1)
    t["resources"]["ports"] = "[1-65535]"
    fw["tasks"].append(t)
    dump(good)
PY
	mv "$T/next.json" "$T/state.json"
}
# expect N PATTERN: wait for the N-th log line matching PATTERN.
still() {
	ok $(kill -0 "$PID" 2>/dev/null; echo $?) "$1: the process is up"
	is "$(q web.marathon.mesos A +short | wc -l | tr -d ' ')" "6" \
	    "$1: web.marathon.mesos still answers its 6 records"
}

wait_count 'generation serial' 1 10

put deep
wait_count 'state refused' 1 10
like "$(grep 'state refused' "$LOG" | tail -n 1)" 'nesting deeper than 128' \
    "deep nesting refused, with the reason"
still "deep nesting"

put bigstring
wait_count 'fields ignored' 1 20
like "$(grep 'fields ignored' "$LOG" | tail -n 1)" '1 fields ignored' \
    "a 10 MB task name is dropped and the drop logged"
still "10 MB string"

put types
wait_count 'fields ignored' 2 10
like "$(grep 'fields ignored' "$LOG" | tail -n 1)" ' [1-9][0-9]* fields ignored' \
    "numbers where strings belong: the fields dropped and counted"
is "$(q typed.marathon.mesos A +short | wc -l | tr -d ' ')" "0" \
    "a task whose agent id is a number is left out"
still "wrong types"

put dupkeys
wait_count 'generation serial' 4 10
ok $(q second.marathon.mesos A +short | grep -q . && echo 0 || echo 1) \
    "duplicate keys: the last one counts, as in most JSON readers"
still "duplicate keys"

put utf8
wait_count 'state refused' 2 10
like "$(grep 'state refused' "$LOG" | tail -n 1)" 'UTF8|UTF-8|utf8' \
    "invalid UTF-8 refused, with the reason"
still "invalid UTF-8"

put onename
wait_count 'state refused' 3 10
like "$(grep 'state refused' "$LOG" | tail -n 1)" 'more than 100 running tasks \(maxTasks\)' \
    "more tasks than maxTasks: refused, with the reason"
is "$(q same.marathon.mesos A +short | wc -l | tr -d ' ')" "0" \
    "nothing of that state is served"
still "over maxTasks"

put samename
wait_count 'maxRecordsPerName' 1 10
like "$(grep 'maxRecordsPerName' "$LOG" | tail -n 1)" 'records dropped over maxRecordsPerName \(20\), first on [_a-z.]*same\.' \
    "30 tasks on one name: capped at maxRecordsPerName, logged"
is "$(q same.marathon.mesos A +short +tcp | wc -l | tr -d ' ')" "20" \
    "the name holds 20 records"
still "records per name"

put ports
wait_count 'maxRecordsPerName' 2 20
like "$(grep 'maxRecordsPerName' "$LOG" | tail -n 1)" 'first on _allports\._tcp\.marathon' \
    "a port range [1-65535]: its SRV names capped, logged"
is "$(q _allports._tcp.marathon.mesos SRV +short +tcp | wc -l | tr -d ' ')" "20" \
    "and 20 SRV records served"
still "port range"
finish_daemon
stop_watchdog
