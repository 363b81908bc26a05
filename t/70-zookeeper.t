#!/bin/sh
# Leader detection through a real ZooKeeper server (Debian's zookeeper,
# started here on a free loopback port with its own data dir): two fake
# masters register json.info_ znodes; deleting the leader's znode moves
# taskdns to the other within 2 s; a dead ensemble member does not stop
# start-up; zkDetectionTimeout without a leader keeps the last records.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 21
watchdog 120
ZKCP=/etc/zookeeper/conf
for j in zookeeper zookeeper-jute slf4j-api slf4j-simple log4j-1.2 \
    netty-handler netty-common netty-transport netty-buffer \
    netty-transport-native-unix-common netty-resolver metrics-core \
    commons-cli snappy-java; do
	[ -f "/usr/share/java/$j.jar" ] && ZKCP="$ZKCP:/usr/share/java/$j.jar"
done

# ZooKeeper on a free port: retried if the port is taken.
t0=$(date +%s.%N)
for try in 1 2 3 4 5; do
	ZKPORT=$(free_port)
	mkdir -p "$T/zk$try"
	java -Xmx128m -cp "$ZKCP" -Dzookeeper.admin.enableServer=false \
	    -Dzookeeper.4lw.commands.whitelist=srvr,ruok \
	    org.apache.zookeeper.server.ZooKeeperServerMain "$ZKPORT" "$T/zk$try" \
	    > "$T/zk.log" 2>&1 &
	ZKPID=$!
	FM_PIDS="$FM_PIDS $ZKPID"
	up=$(python3 - "$ZKPORT" <<'PY'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5)
        s.sendall(b"srvr")
        if b"Mode" in s.recv(4096):
            print("up"); break
    except OSError:
        time.sleep(0.1)
PY
)
	[ "$up" = up ] && break
	kill "$ZKPID" 2>/dev/null
done
t1=$(date +%s.%N)
is "$up" "up" "a ZooKeeper server runs on 127.0.0.1:$ZKPORT"
ok $(python3 -c "import sys; sys.exit(0 if $t1 - $t0 < 5 else 1)"; echo $?) \
    "... started in under 5 s ($(python3 -c "print(round($t1 - $t0, 2))") s)"

demo_plus "$T/third.json" api third
A=$(start_fm "$TOP_SRCDIR/conf/demo-state.json" 127.0.0.1)
B=$(start_fm "$T/third.json" 127.0.0.2)
ZKT=$TOP_BUILDDIR/t/zk_tool
"$ZKT" "127.0.0.1:$ZKPORT" register /mesos 127.0.0.1 "$A" "$T/za" 2>> "$T/zkt.log" &
ZA=$!
i=0; while [ ! -s "$T/za" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$ZKT" "127.0.0.1:$ZKPORT" register /mesos 127.0.0.2 "$B" "$T/zb" 2>> "$T/zkt.log" &
ZB=$!
FM_PIDS="$FM_PIDS $ZA $ZB"
i=0; while [ ! -s "$T/zb" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
like "$(cat "$T/za") $(cat "$T/zb")" '^/mesos/json\.info_0+ /mesos/json\.info_0+1$' \
    "two masters registered json.info_ znodes"

# Port 1 on loopback: a dead ensemble member, listed first.
start_taskdns "\"zk\": \"zk://127.0.0.1:1,127.0.0.1:$ZKPORT/mesos\", \"refreshSeconds\": 60, \"zkDetectionTimeout\": 1" || exit 1
wait_log "generation serial .* from http://127.0.0.1:$A/" 10
ok $? "with one ZooKeeper member down, the leader is found and fetched"
is "$(qs _leader._tcp.mesos SRV | awk '{print $3}')" "$A" "the leader is the lowest json.info_"
is "$(qs master0.mesos A) $(qs master1.mesos A)" "127.0.0.1 127.0.0.2" \
    "masterN from ZooKeeper's list, leader first"
is "$(qs third.marathon.mesos A)" "" "the leader's state is served"

# The leader's znode goes away: the next master leads within 2 s.
t0=$(date +%s.%N)
kill "$ZA"
is "$(wait_answer third.marathon.mesos A 10.0.1.10 2)" "10.0.1.10" "the leader's znode deleted: the new leader's state within 2 s"
t1=$(date +%s.%N)
echo "# moved in $(python3 -c "print(round($t1 - $t0, 2))") s"
is "$(qs _leader._tcp.mesos SRV | awk '{print $3}')" "$B" "leader.mesos follows"
is "$(qs master0.mesos A)" "127.0.0.2" "masterN follows ZooKeeper's list"

# No leader at all: after zkDetectionTimeout, logged, and still serving.
"$ZKT" "127.0.0.1:$ZKPORT" delete "$(cat "$T/zb")"
wait_log 'ZooKeeper has named no leading master for 1 s' 5
ok $? "no leader past zkDetectionTimeout is logged"
is "$(qs third.marathon.mesos A)" "10.0.1.10" "... and the last records keep serving (unlike mesos-dns, no exit)"
kill -0 "$PID"
ok $? "the process is still up"
finish_daemon

# The event stream follows ZooKeeper's leader too.
python3 "$TOP_SRCDIR/t/v1state.py" subscribed "$TOP_SRCDIR/conf/demo-state.json" > "$T/sa.json"
python3 "$TOP_SRCDIR/t/v1state.py" subscribed "$T/third.json" > "$T/sb.json"
fm "$A" "stream=$T/sa.json" 127.0.0.1
fm "$B" "stream=$T/sb.json" 127.0.0.2
"$ZKT" "127.0.0.1:$ZKPORT" register /mesos 127.0.0.2 "$B" "$T/zb2" 2>> "$T/zkt.log" &
ZB2=$!
i=0; while [ ! -s "$T/zb2" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$ZKT" "127.0.0.1:$ZKPORT" register /mesos 127.0.0.1 "$A" "$T/za2" 2>> "$T/zkt.log" &
ZA2=$!
FM_PIDS="$FM_PIDS $ZA2 $ZB2"
i=0; while [ ! -s "$T/za2" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
start_taskdns "\"zk\": \"zk://127.0.0.1:$ZKPORT/mesos\"" || exit 1
wait_log "event stream from master@127.0.0.2:$B: subscribed" 10
ok $? "stateAPI auto with zk: the leader's event stream"
is "$(wait_answer third.marathon.mesos A 10.0.1.10 3)" "10.0.1.10" "... whose snapshot is served"
kill "$ZB2"
is "$(wait_answer third.marathon.mesos A '' 3)" "" "the leader's znode deleted: the new leader's stream within 3 s"
like "$(cat "$LOG")" "event stream from master@127.0.0.1:$A: subscribed" "... subscribed to it"
finish_daemon
done_testing
