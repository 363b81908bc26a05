#!/bin/sh
# 76-rrl.t - response rate limiting (issue 19): a "victim" address on
# loopback floods taskdns at 20k q/s for a large SRV answer (as forged
# queries would make it receive), while a client in another prefix asks
# 500 q/s for task names; t/rrl.py measures what reaches the victim.
# rateLimit off: taskdns amplifies; on: no more than the queries' octets,
# the client loses nothing, the victim's retries over TCP are answered.
# Knot (mod-rrl, the same rate and slip, a secondary of taskdns serving
# the same zone) takes the same flood in the same run.
. "$(dirname "$0")/lib.sh"
plan 16
watchdog 200

need knotd kdig dig python3

RATE=100
SLIP=2
SECS=8
python3 "$TOP_SRCDIR/contrib/bench/make-state.py" 3000 0 > "$T/state.json"
NAME=_app-99._tcp.marathon.slave.mesos
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"allowTransfer\": [\"127.0.0.1\"],
    \"httpOn\": true, \"httpListener\": \"127.0.0.1\",
    \"httpPort\": HTTP_PORT" || exit 1
"$TASKDNS" -config "$T/config.json" --print-records 2> /dev/null |
    awk '$1 == "A" && $2 ~ /\.marathon\.mesos\.$/ { print $2 }' | sort -u |
    head -n 2000 > "$T/names"
serial=$(qs mesos SOA | awk '{ print $3 }')
start_knot "mod-rrl:
  - id: rrl
    rate-limit: $RATE
    slip: $SLIP
remote:
  - id: primary
    address: 127.0.0.1@$PORT
zone:
  - domain: mesos
    master: primary
    module: mod-rrl/rrl"
wait_serial "$KNOT_PORT" "$serial"
ok $? "Knot, with mod-rrl, has the zone (serial $serial)"

flood() {	# flood PORT: t/rrl.py's line
	python3 "$TOP_SRCDIR/t/rrl.py" "$1" "$NAME" SRV 127.0.0.99 20000 \
	    "$SECS" 127.0.5.1 500 "$T/names"
}
val() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

off=$(flood "$PORT")
echo "# rateLimit off: $off"
amp_off=$(val "$off" amp)
awk -v a="$amp_off" 'BEGIN { exit !(a > 5) }'
ok $? "rateLimit off: taskdns amplifies the flood ${amp_off} times"

# On, by a reload (SIGHUP): rateLimit is a setting of the workers.
sed "s/}\$/, \"rateLimit\": {\"responsesPerSecond\": $RATE, \"slip\": $SLIP, \"exempt\": [\"127.0.9.0\/24\"]}}/" \
    "$T/config.json" > "$T/config.new"
mv "$T/config.new" "$T/config.json"
kill -HUP "$PID"
wait_log 'rate limit: 100 responses a second' 10
ok $? "a reload turns it on (logged)"

t_on=$(date +%s)
on=$(flood "$PORT")
echo "# rateLimit $RATE/s, slip $SLIP: $on"
knot=$(flood "$KNOT_PORT")
echo "# Knot mod-rrl $RATE/s, slip $SLIP: $knot"
amp_on=$(val "$on" amp)
amp_knot=$(val "$knot" amp)
awk -v a="$amp_on" 'BEGIN { exit !(a <= 1.0) }'
ok $? "rateLimit on: the victim gets ${amp_on} x the flood's octets (<= 1.0)"
awk -v a="$amp_on" -v k="$amp_knot" 'BEGIN { exit !(a <= k * 1.02) }'
ok $? "no more than Knot lets through on the same flood (taskdns ${amp_on}, Knot ${amp_knot})"
full=$(val "$on" full)
[ "$full" -le $((RATE * (SECS + 2))) ] && [ "$full" -ge $((RATE * (SECS - 2))) ]
ok $? "whole answers to the victim: about $RATE a second, from 8 source ports ($full in ${SECS} s)"
[ "$(val "$on" tc)" -gt 0 ]
ok $? "every ${SLIP}nd limited answer slips, truncated ($(val "$on" tc))"
is "$(val "$on" tcp_answered)" "$(val "$on" tcp_retries)" \
    "the victim's retries over TCP are answered ($(val "$on" tcp_retries))"
is "$(val "$on" lost)" 0 \
    "the client in another prefix lost nothing ($(val "$on" asked) asked)"
is "$(val "$on" truncated)" 0 "and got no truncated answer"
m=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
like "$m" 'taskdns_rrl_responses_total\{action="dropped"\} [1-9]' \
    "/metrics counts the answers dropped"
like "$m" 'taskdns_rrl_responses_total\{action="slipped"\} [1-9]' \
    "and those slipped"
like "$(cat "$LOG")" 'rate limit: answers to 127\.0\.0\.0/24 over 100 a second' \
    "the log names the prefix limited"
# One line for each minute of the clock the limiting went through.
minutes=$(( $(date +%s) / 60 - t_on / 60 + 1 ))
lines=$(grep -c 'rate limit: answers to' "$LOG")
[ "$lines" -ge 1 ] && [ "$lines" -le "$minutes" ]
ok $? "once a minute at most ($lines lines in $minutes minutes of the clock)"

# exempt: a prefix never limited; TCP never limited.
python3 "$TOP_SRCDIR/t/rrl.py" "$PORT" "$NAME" SRV 127.0.9.9 2000 2 \
    127.0.5.1 10 "$T/names" > "$T/ex"
full=$(val "$(cat "$T/ex")" full)
[ "$full" -gt $((RATE * 5)) ]
ok $? "an exempt prefix (127.0.9.0/24) is not limited ($full whole answers in 2 s)"
# 500 queries on one TCP connection from the victim's prefix, at once.
like "$(python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" tcpmulti "$NAME" SRV 500)" \
    'answers=500' "TCP is never limited: 500 at once from the victim's prefix, all answered"
stop_taskdns
done_testing
