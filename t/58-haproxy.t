#!/bin/sh
# HAProxy's SRV discovery against taskdns, with real HTTP backends on
# loopback addresses.  The app "web" has 14 tasks, each an HTTP server of
# its own (127.0.1.N:8080).
# - contrib/haproxy/haproxy.cfg as shipped (accepted_payload_size 8192):
#   HAProxy finds every task, sends requests to each, follows a task
#   added and a task removed in the state, and no server flaps while the
#   state stays the same.
# - HAProxy's defaults (accepted_payload_size 512): the SRV answer is
#   truncated and HAProxy uses it as it is; the servers it makes of it
#   must not change from one answer to the next.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need haproxy curl python3
plan 13
watchdog 200

# set_state N [SKIP]: the demo state with app web as tasks 1..N
# (127.0.1.1..N, port 8080), task SKIP left out, replacing the state file
# whole (taskdns re-reads it).
set_state() {
	python3 "$TOP_SRCDIR/t/app-state.py" "$TOP_SRCDIR/conf/demo-state.json" \
	    web "$1" 127.0.1 --http-port 8080 --skip "${2:-0}" > "$T/state.new" &&
	    mv "$T/state.new" "$T/state.json"
}

set_state 14
addrs=
for i in $(seq 1 15); do addrs="$addrs 127.0.1.$i"; done
# shellcheck disable=SC2086
python3 "$TOP_SRCDIR/t/clients/backends.py" 8080 190 $addrs > "$T/backends.out" 2>&1 &
echo "$!" >> "$T/helper.pids"
wait_file "$T/backends.out" 5
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false" || exit 1
like "$(q _web._tcp.marathon.mesos SRV)" "ANSWER: 14," "taskdns: 14 SRV records for web"

# run_haproxy NAME CONFIG: start it; sets HP_PORT (its frontend) and HP_SOCK.
run_haproxy() {
	HP_PORT=$(free_port)
	HP_SOCK=$T/$1.sock
	sed -e "s#127.0.0.1:53#127.0.0.1:$PORT#" \
	    -e "s#^\tbind :80#\tbind 127.0.0.1:$HP_PORT#" \
	    -e "s#/run/haproxy-web.sock#$HP_SOCK#" "$2" > "$T/$1.cfg"
	haproxy -db -f "$T/$1.cfg" > "$T/$1.log" 2>&1 &
	echo "$!" >> "$T/helper.pids"
}

# servers SOCK: the addresses of the servers in use ("show servers
# state": operational, with an address), sorted, on one line.
servers() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
try:
    s.connect(sys.argv[1])
    s.sendall(b"show servers state web\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
except OSError:
    print("")
    sys.exit(0)
addrs = []
for line in data.decode().splitlines():
    f = line.split()
    # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ...
    if len(f) > 6 and not line.startswith("#") and f[1] == "web":
        if f[4] != "-" and f[4] != "0.0.0.0" and not int(f[6]) & 0x20:
            addrs.append(f[4])
print(" ".join(sorted(addrs, key=lambda a: int(a.split(".")[-1]))))
PY
}

# wait_servers SOCK WANT SECONDS: until the servers are WANT.
wait_servers() {
	_i=0
	while [ "$_i" -lt $(($3 * 5)) ]; do
		_s=$(servers "$1")
		[ "$_s" = "$2" ] && break
		sleep 0.2
		_i=$((_i + 1))
	done
	printf '%s\n' "$_s"
}

# samples SOCK SECONDS: how many different server sets were seen, sampled
# every 0.2 s.
samples() {
	_i=0
	while [ "$_i" -lt $(($2 * 5)) ]; do
		servers "$1"
		sleep 0.2
		_i=$((_i + 1))
	done | sort -u | wc -l
}

all() {
	for i in $(seq 1 "$1"); do
		[ "$i" = "${2:-0}" ] || printf '127.0.1.%d ' "$i"
	done | sed 's/ $//'
}

run_haproxy full "$TOP_SRCDIR/contrib/haproxy/haproxy.cfg"
is "$(wait_servers "$HP_SOCK" "$(all 14)" 20)" "$(all 14)" \
    "contrib/haproxy/haproxy.cfg: HAProxy finds all 14 tasks"
is "$(samples "$HP_SOCK" 6)" "1" "no server changes while the state is the same (6 s)"
got=$(for i in $(seq 1 56); do
	curl -s --max-time 2 "http://127.0.0.1:$HP_PORT/"; done | sort -u | wc -l)
is "$got" "14" "requests through HAProxy reach every task"
set_state 15
is "$(wait_servers "$HP_SOCK" "$(all 15)" 15)" "$(all 15)" "a task added: HAProxy adds it"
set_state 15 7
is "$(wait_servers "$HP_SOCK" "$(all 15 7)" 15)" "$(all 15 7)" "a task removed: HAProxy removes it"
got=$(for i in $(seq 1 42); do
	curl -s --max-time 2 "http://127.0.0.1:$HP_PORT/"; done | sort -u | tr '\n' ' ')
unlike "$got" '127\.0\.1\.7 ' "no request goes to the removed task"
like "$got" '127\.0\.1\.15 ' "requests reach the added task"

# HAProxy's resolver defaults (512 octets, hold obsolete 0: a server
# missing from one answer goes at once): a truncated SRV answer, used as
# it is.
cat > "$T/default.in" <<'CFG'
global
	log stderr format short local0 notice
	stats socket /run/haproxy-web.sock mode 600 level admin
defaults
	mode http
	timeout connect 2s
	timeout client 30s
	timeout server 30s
resolvers taskdns
	nameserver taskdns 127.0.0.1:53
backend web
	server-template task 100 _web._tcp.marathon.mesos resolvers taskdns init-addr none check inter 1s
frontend web
	bind :80
	default_backend web
CFG
run_haproxy small "$T/default.in"
i=0
while [ $i -lt 50 ] && [ -z "$(servers "$HP_SOCK")" ]; do sleep 0.2; i=$((i + 1)); done
sleep 2
first=$(servers "$HP_SOCK")
n=$(echo "$first" | wc -w)
[ "$n" -ge 5 ]
ok $? "512 octets: HAProxy makes servers of the truncated answer ($n of 14)"
is "$(samples "$HP_SOCK" 8)" "1" "512 octets: the same servers answer after answer (8 s)"
removed=$(grep -c 'removed from SRV' "$T/small.log")
is "$removed" "0" "512 octets: HAProxy logged no server removed from the SRV record"
sed 's/^/# haproxy (512): /' "$T/small.log" | head -n 20
finish_daemon
done_testing
