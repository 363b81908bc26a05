#!/bin/sh
# logLevel and logTo: a quieter level drops info lines; logTo syslog sends
# the lines to /dev/log (here a socket of the test's, bind-mounted over
# /dev/log in a private mount namespace) and nothing to stderr.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 9
watchdog 60
STATE="\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\""

# logLevel warning: start-up says nothing (no "ready:" to wait for).
printf '{"listener":"127.0.0.1","port":0,"httpOn":false,%s,"logLevel":"warning"}\n' \
    "$STATE" > "$T/quiet.json"
LOG=$T/quiet.log
# No "ready:" line to wait for: poll for an answer, and try another port
# when this one is taken (the log then names the bind error).
for _try in 1 2 3 4 5; do
	PORT=$(free_port)
	sed "s/\"port\":0/\"port\":$PORT/" "$T/quiet.json" > "$T/config.json"
	"$TASKDNS" -config "$T/config.json" 2> "$LOG" &
	PID=$!
	[ "$(wait_answer leader.mesos A 127.0.0.1 10)" = "127.0.0.1" ] && break
	sed 's/^/# (start attempt failed) /' "$LOG"
	kill "$PID" 2> /dev/null
	wait "$PID" 2> /dev/null
done
is "$(qs leader.mesos A)" "127.0.0.1" "logLevel warning: serving"
finish_daemon
unlike "$(cat "$LOG")" "info:" "logLevel warning: no info line"

r=$("$TASKDNS" -c /dev/stdin --check-config 2>&1 <<EOF2
{"stateFile": "x.json", "logLevel": "loud", "logTo": "file"}
EOF2
)
like "$r" 'logLevel: "loud" is not error, warning, info or debug' \
    "a bad logLevel is named"
like "$r" 'logTo: "file" is not stderr or syslog' "a bad logTo is named"

# syslog: a datagram socket standing in for /dev/log.
printf '{"listener":"127.0.0.1","port":5354,"httpOn":false,%s,"logTo":"syslog","logLevel":"info"}\n' \
    "$STATE" > "$T/c.json"
cat > "$T/inside.sh" <<SH
set -u
ip link set lo up
python3 - "$T/log.sock" "$T/syslog.txt" > /dev/null 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 15
with open(sys.argv[2], "a") as out:
    while time.time() < end:
        try:
            out.write(s.recv(4096).decode("utf-8", "replace") + "\n")
            out.flush()
        except socket.timeout:
            pass
PY
lpid=\$!
i=0
while [ ! -S "$T/log.sock" ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
touch /dev/log 2>/dev/null || true
mount --bind "$T/log.sock" /dev/log
"$TASKDNS" -config "$T/c.json" 2> "$T/stderr" &
pid=\$!
i=0
while [ \$i -lt 100 ] && ! grep -q 'ready:' "$T/syslog.txt" 2>/dev/null; do sleep 0.05; i=\$((i + 1)); done
echo "answer=\$(dig +short +time=2 +tries=1 -p 5354 @127.0.0.1 leader.mesos A)"
kill -TERM \$pid
wait \$pid
echo "exit=\$?"
kill \$lpid
SH
out=$(unshare -n -m sh "$T/inside.sh" 2>&1)
echo "$out" | sed 's/^/# /'
like "$(cat "$T/syslog.txt" 2>/dev/null)" 'taskdns\[[0-9]+\]: info: ready:' \
    "logTo syslog: the lines reach /dev/log, tagged taskdns[pid]"
like "$out" "answer=127.0.0.1" "(and it serves)"
is "$(cat "$T/stderr")" "" "logTo syslog: nothing on stderr"
