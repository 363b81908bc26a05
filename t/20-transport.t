#!/bin/sh
# UDP and TCP: truncation then a TCP retry, several queries on one TCP
# connection, the idle timeout and the connection cap, malformed and random
# packets, and a generation swap under query load.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 29
watchdog 120

# A state of our own with one app of 80 tasks: its A rrset is 80 records.
python3 "$TOP_SRCDIR/t/app-state.py" "$TOP_SRCDIR/conf/demo-state.json" \
    big 80 172.20.0 > "$T/big.json"
python3 - "$TOP_SRCDIR/conf/demo-state.json" "$T/state-b.json" <<'PY'
import copy, json, sys
e = json.load(open(sys.argv[1]))
tpl = [t for t in e["frameworks"][0]["tasks"] if t["name"] == "web"][0]
n = copy.deepcopy(tpl)
n["id"], n["name"] = "newapp.1", "newapp"
n.pop("discovery")
e["frameworks"][0]["tasks"].append(n)
json.dump(e, open(sys.argv[2], "w"))
PY
cp "$T/big.json" "$T/state.json"
start_taskdns "\"stateFile\": \"$T/state.json\", \"workers\": 1, \"tcpIdleSeconds\": 1, \"tcpMaxConnections\": 3" || exit 1

r=$(q big.marathon.mesos A +ignore +noedns)
like "$r" 'flags: qr aa tc rd' "80 A records over UDP without EDNS: TC set"
n=$(printf '%s\n' "$r" | grep -c 'IN[[:space:]]A[[:space:]]')
is "$n" "29" "the truncated answer keeps the whole records that fit in 512"
r=$(q big.marathon.mesos A +noedns)
like "$r" 'Truncated, retrying in TCP mode' "dig retries over TCP"
like "$r" 'ANSWER: 80,' "the TCP answer is whole"
r=$(q big.marathon.mesos A +bufsize=4096 +ignore)
unlike "$r" 'flags: qr aa tc' "EDNS 4096: no truncation"
like "$r" 'ANSWER: 80,' "EDNS 4096: all 80 records over UDP"
like "$(q web.marathon.mesos A +tcp)" 'ANSWER: 6,' "a query over TCP"

r=$($DNSQ "$PORT" tcpmulti web.marathon.mesos A 5)
like "$r" 'answers=5' "five queries on one TCP connection, five answers"
like "$r" 'ids=0,1,2,3,4' "answers in order with their IDs"

# Idle timeout: a silent connection is closed after tcpIdleSeconds.
r=$(python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5); t = time.time()
print("closed" if s.recv(1) == b"" else "data", round(time.time() - t))' "$PORT")
like "$r" '^closed [12]$' "an idle TCP client is dropped after 1 s"

# A client that sends a length and then one byte at a time, never idle
# long, is dropped once the query has taken the idle time to arrive.
r=$(python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.3); t = time.time(); s.sendall(b"\x00\x40")
while time.time() - t < 5:
    try:
        s.sendall(b"x")
        if s.recv(1) == b"": break
    except socket.timeout: continue
    except OSError: break
print("dropped after", round(time.time() - t))' "$PORT")
like "$r" '^dropped after [12]$' "a trickling TCP client is dropped after the idle time"

# Connection cap: with three held open, the fourth is closed at once,
# and UDP keeps answering meanwhile.
r=$(python3 -c '
import socket, struct, sys
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
import time; time.sleep(0.2)
x = socket.create_connection(("127.0.0.1", port)); x.settimeout(3)
try: print("fourth", "closed" if x.recv(1) == b"" else "open")
except socket.timeout: print("fourth open")
for s in held: s.close()' "$PORT")
like "$r" 'fourth closed' "past tcpMaxConnections a connection is closed"
sleep 0.2
like "$(q web.marathon.mesos A +tcp)" 'ANSWER: 6,' "TCP serves again once connections close"

# Malformed input.
r=$($DNSQ "$PORT" raw "abcd01000001000000000000c00c00010001")
like "$r" 'rcode=1' "a compression loop in the question: FORMERR"
r=$($DNSQ "$PORT" raw "abcd01000000000000000000")
like "$r" 'rcode=1' "no question: FORMERR"
r=$($DNSQ "$PORT" raw "abcd81000001000000000000036162630000010001")
like "$r" 'reply=none' "a response is never answered"
r=$($DNSQ "$PORT" raw "abcd2000000100000000000003616263056d65736f730000060001")
like "$r" 'rcode=4' "opcode NOTIFY: NOTIMP"
r=$($DNSQ "$PORT" raw "abcd0100")
like "$r" 'reply=none' "a 4-byte packet gets no answer"
# A query past 4096 octets (a valid one, padded with an EDNS option) is
# dropped unread: no legitimate query is that large.
big=$(python3 -c 'import struct
q = bytes.fromhex("abcd0100000100000000000103776562086d61726174686f6e056d65736f730000010001")
opt = struct.pack(">HH", 12, 5000) + bytes(5000)
print((q + b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt).hex())')
r=$($DNSQ "$PORT" raw "$big")
like "$r" 'reply=none' "a 5 kB UDP query is dropped"
like "$(q web.marathon.mesos A)" 'ANSWER: 6,' "and the next is answered"
r=$($DNSQ "$PORT" query web.marathon.mesos A --edns 1232 --class 3)
like "$r" 'rcode=5' "class CH: REFUSED"
$DNSQ "$PORT" garbage 3000 7 > /dev/null
like "$(q web.marathon.mesos A)" 'ANSWER: 6,' "3000 random packets later, still answering"
ok $(kill -0 "$PID" 2>/dev/null; echo $?) "the process is still up"

# Generation swap under load: the state flips every 0.2 s (SIGHUP) while
# a client queries without pause; every query must be answered.
$DNSQ "$PORT" load web.marathon.mesos A 4 > "$T/load.out" &
LOADPID=$!
i=0
while [ $i -lt 16 ]; do
	if [ $((i % 2)) -eq 0 ]; then cp "$T/state-b.json" "$T/state.json"
	else cp "$T/big.json" "$T/state.json"; fi
	kill -HUP "$PID"
	sleep 0.2
	i=$((i + 1))
done
wait $LOADPID
sent=$(sed -n 's/^sent=//p' "$T/load.out")
answered=$(sed -n 's/^answered=//p' "$T/load.out")
bad=$(sed -n 's/^bad=//p' "$T/load.out")
ok $([ "$sent" -gt 100 ] && [ "$sent" = "$answered" ] && echo 0 || echo 1) \
    "every query answered during 16 swaps ($answered of $sent)"
is "$bad" "0" "every answer NOERROR with data, right ID"
swaps=$(grep -c 'generation serial' "$LOG")
ok $([ "$swaps" -ge 17 ] && echo 0 || echo 1) "16 new generations were built ($swaps)"
cp "$T/state-b.json" "$T/state.json"
kill -HUP "$PID"
is "$(wait_answer newapp.marathon.mesos A 172.17.0.10 3)" "172.17.0.10" \
    "after the last swap the new task answers"
finish_daemon
done_testing
