#!/bin/sh
# 96-reload.t - SIGHUP re-reads the config (issue 5).  Under query load, a
# valid config takes effect with no query lost and the DNS sockets kept; an
# invalid one (bad value, broken JSON, missing file) is refused with the
# reason and changes nothing; a new port or HTTP port is bound anew.
. "$(dirname "$0")/lib.sh"
plan 33
watchdog 120

need curl jq ss

start_upstream echo
ECHO=$UP_PORT
start_upstream blackhole
HOLE=$UP_PORT
STATE="\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\""
start_taskdns "$STATE, \"httpListener\": \"127.0.0.1\", \"httpPort\": HTTP_PORT,
    \"ttl\": 60, \"externalOn\": false" || exit 1
H=http://127.0.0.1:$HTTP_PORT

# cfg PORT HTTP_PORT BODY: the config file as start_taskdns writes it,
# replaced in one rename.
cfg() {
	printf '{"listener": "127.0.0.1", "port": %s, "httpListener": "127.0.0.1", "httpPort": %s, %s, %s}\n' \
	    "$1" "$2" "$STATE" "$3" > "$T/config.new"
	mv "$T/config.new" "$T/config.json"
}
# hup: SIGHUP, then wait for the outcome to be logged.
hup() {
	_k=$(grep -Ec 'reloaded|reload refused' "$LOG")
	kill -HUP "$PID"
	wait_count 'reloaded|reload refused' $((_k + 1)) 10
}
ttl() { q "$1" A +noall +answer | awk 'NR == 1 { print $2 }'; }
serial() { q mesos SOA +short | awk '{ print $3 }'; }
inodes() {
	ss -Hlnue "( sport = :$PORT )" | grep -o 'ino:[0-9]*' | sort |
	    tr '\n' ' '
}
metric() { curl -s -m 5 "$H/metrics" | grep "^$1" | awk '{ print $2 }'; }

is "$(ttl web.marathon.mesos)" "60" "before: TTL 60"
like "$(q example.org A)" 'status: REFUSED' "before: externalOn false refuses"
S1=$(serial)
I1=$(inodes)
like "$I1" 'ino:[0-9]+ ino:[0-9]+' "the DNS sockets (UDP, TCP) are seen"

# --- under load: one valid reload, three refused -------------------------
$DNSQ "$PORT" load web.marathon.mesos A 7 > "$T/load" &
LOAD=$!
sleep 1
cfg "$PORT" "$HTTP_PORT" "\"ttl\": 30, \"externalOn\": true,
    \"resolvers\": [\"127.0.0.1:$ECHO\"], \"timeout\": 2"
hup
like "$(grep -E 'reloaded|reload refused' "$LOG" | tail -1)" \
    'reloaded; DNS listeners kept' "valid config: taken, listeners kept"
sleep 1
cfg "$PORT" "$HTTP_PORT" '"ttl": "thirty"'
hup
like "$(grep -E 'reloaded|reload refused' "$LOG" | tail -1)" \
    'reload refused, the running config stays: .*ttl' \
    "a bad value: refused, naming the key"
sleep 0.5
printf '{"port": ' > "$T/config.json"
hup
like "$(grep -E 'reloaded|reload refused' "$LOG" | tail -1)" \
    'reload refused.*line 1 column' "broken JSON: refused, with where"
mv "$T/config.json" "$T/config.json.away"
hup
like "$(grep -E 'reloaded|reload refused' "$LOG" | tail -1)" \
    'reload refused.*config.json' "a missing file: refused"
wait "$LOAD"
L=$(cat "$T/load")
SENT=$(echo "$L" | sed -n 's/^sent=//p')
is "$(echo "$L" | sed -n 's/^answered=//p')" "$SENT" \
    "no query lost across four reloads ($SENT sent)"
is "$(echo "$L" | sed -n 's/^bad=//p')" "0" "every answer a good one"
is "$(echo "$L" | sed -n 's/^ttls=//p')" "60,30" \
    "answers went from the old config to the new, never back"
kill -0 "$PID" 2> /dev/null
ok $? "the daemon is up"

# --- what the valid config changed ---------------------------------------
is "$(ttl web.marathon.mesos)" "30" "after: TTL 30"
S2=$(serial)
[ -n "$S2" ] && [ "$S2" != "$S1" ]
ok $? "a new TTL is a new zone serial ($S1 -> $S2)"
like "$(q example.org TXT +short)" 'q=example.org' \
    "externalOn and resolvers taken: forwarded to the new upstream"
is "$(inodes)" "$I1" "the same DNS sockets as before"
is "$(curl -s -m 5 "$H/v1/config" | jq -r .TTL)" "30" "/v1/config shows it"
is "$(metric 'taskdns_config_reloads_total{result="ok"}')" "1" \
    "/metrics: one reload taken"
is "$(metric 'taskdns_config_reloads_total{result="refused"}')" "3" \
    "/metrics: three refused"

# --- queries being forwarded finish under the settings they began with --
mv "$T/config.json.away" "$T/config.json"
cfg "$PORT" "$HTTP_PORT" "\"ttl\": 30, \"externalOn\": true,
    \"resolvers\": [\"127.0.0.1:$HOLE\"], \"timeout\": 2"
hup
$DNSQ "$PORT" burst 'q{i}.example.net' A 20 6 > "$T/burst" &
BURST=$!
sleep 0.3
cfg "$PORT" "$HTTP_PORT" "\"ttl\": 30, \"externalOn\": true,
    \"resolvers\": [\"127.0.0.1:$ECHO\"], \"timeout\": 2"
hup
wait "$BURST"
is "$(sed -n 's/^answered=//p' "$T/burst")" "20" \
    "queries held by a replaced forwarder are all answered"
is "$(sed -n 's/^rcode2=//p' "$T/burst")" "20" \
    "(SERVFAIL at the old timeout: the old upstream never answers)"
like "$(q example.org TXT +short)" 'q=example.org' \
    "new queries go to the new upstream"

# --- new listeners -------------------------------------------------------
WEB=$(qs web.marathon.mesos A | tr '\n' ' ')
P2=$(free_port)
H2=$(free_port)
cfg "$P2" "$H2" '"ttl": 30, "enumerationOn": false'
hup
like "$(grep -E 'reloaded|reload refused' "$LOG" | tail -1)" \
    'DNS listeners rebound; HTTP listener rebound' "new ports: rebound"
like "$WEB" '^[0-9.]+ ' "(the answer before the move: $WEB)"
is "$(dig +time=2 +tries=1 -p "$P2" @127.0.0.1 web.marathon.mesos A +short |
    sort | tr '\n' ' ')" "$WEB" "DNS answers on the new port"
like "$(q web.marathon.mesos A)" 'timed out|no servers' \
    "and no longer on the old one"
is "$(curl -s -m 5 "http://127.0.0.1:$H2/v1/version" | jq -r .Service)" \
    "taskdns" "the API answers on the new port"
curl -s -m 2 "$H/v1/version" > /dev/null
ok $((! $?)) "and no longer on the old one"
is "$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$H2/v1/enumerate")" "404" \
    "enumerationOn false taken: /v1/enumerate is gone"

# A port another socket holds: refused, the running listeners stay.
BUSY=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET,
    socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", '"$BUSY"')); time.sleep(30)' &
HOLD=$!
sleep 0.5
cfg "$BUSY" "$H2" '"ttl": 30'
hup
like "$(grep -E 'reloaded|reload refused' "$LOG" | tail -1)" \
    'reload refused.*cannot be bound' "a busy port: refused"
like "$(grep 'cannot bind' "$LOG" | tail -1)" "port $BUSY" \
    "with the bind error logged"
kill "$HOLD" 2> /dev/null
PORT=$P2
is "$(ttl web.marathon.mesos)" "30" "still answering on the running port"

grep -E "SIGHUP|reload|rebound|cannot bind" "$LOG" | sed "s/^/# /"
finish_daemon
done_testing
