#!/bin/sh
# Real clients as users run them, in network namespaces of the test's own,
# against taskdns on port 53 of the server host's second address
# (192.0.2.2; see netns_pair): musl's getaddrinfo, Go's pure resolver,
# Unbound as a stub resolver in front of taskdns (0x20 case randomisation
# and QNAME minimisation on), and dnsmasq forwarding the Mesos domain.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need ip dig musl-gcc go unbound dnsmasq
plan 21
watchdog 240
netns_pair || { echo "Bail out! cannot create network namespaces"; exit 1; }

printf '{"listener": "0.0.0.0", "port": 53, "httpOn": false, "stateFile": "%s", "externalOn": false}\n' \
    "$TOP_SRCDIR/conf/demo-state.json" > "$T/c.json"
LOG=$T/taskdns.log
ip netns exec "$SRV_NS" ${TASKDNS_WRAP:-} "$TASKDNS" -config "$T/c.json" \
    2> "$LOG" &
PID=$!
wait_log 'ready:|error|cannot' "${TASKDNS_START_WAIT:-10}"
printf 'nameserver 192.0.2.2\noptions timeout:2 attempts:2\n' > "$T/resolv.conf"

WEB='172.17.0.10 172.17.0.11 172.17.0.12 172.17.0.13 172.17.0.14 172.17.0.15'
flat() { sort -u | tr '\n' ' ' | sed 's/ $//'; }

# musl: its stub resolver asks A and AAAA at once and takes an answer only
# from the address it asked.
musl-gcc -O2 -o "$T/gai" "$TOP_SRCDIR/t/clients/gai.c"
ok $? "musl-gcc builds the getaddrinfo client"
is "$(in_ns "$CLI_NS" "$T/resolv.conf" "$T/gai" web.marathon.mesos | flat)" \
    "$WEB" "musl getaddrinfo: every address of a task name"
is "$(in_ns "$CLI_NS" "$T/resolv.conf" "$T/gai" ipv6-app.marathon.mesos | flat)" \
    "fd00:c0de::10" "musl getaddrinfo: an IPv6 task"
in_ns "$CLI_NS" "$T/resolv.conf" "$T/gai" nosuch.marathon.mesos > /dev/null
is "$?" "2" "musl getaddrinfo: a missing name is EAI_NONAME"

# Go's own resolver (PreferGo), reading resolv.conf.
export GOCACHE="$T/go-cache" GOPATH="$T/go" GO111MODULE=off GOFLAGS=
go build -o "$T/goresolve" "$TOP_SRCDIR/t/clients/goresolve.go" 2> "$T/go.err"
ok $? "go builds the resolver client"
sed 's/^/# go: /' "$T/go.err"
out=$(in_ns "$CLI_NS" "$T/resolv.conf" "$T/goresolve" srv web tcp marathon.mesos)
like "$out" '^web-[a-z0-9]+-s[0-9]+\.marathon\.mesos\. 8080' \
    "Go LookupSRV _web._tcp.marathon.mesos: targets and ports"
is "$(printf '%s\n' "$out" | wc -l)" "12" "Go LookupSRV: six tasks, two ports each"
is "$(in_ns "$CLI_NS" "$T/resolv.conf" "$T/goresolve" host web.marathon.mesos | flat)" \
    "$WEB" "Go LookupHost: every address"
out=$(in_ns "$CLI_NS" "$T/resolv.conf" "$T/goresolve" host nosuch.marathon.mesos)
is "$?/$out" "2/notfound" "Go LookupHost: NXDOMAIN is a clean not-found error"
out=$(in_ns "$CLI_NS" "$T/resolv.conf" "$T/goresolve" srv nosuch tcp marathon.mesos)
is "$?/$out" "2/notfound" "Go LookupSRV: a missing service is not found"

# Unbound in the client host, on 127.0.0.1, a stub zone for mesos.
UPORT=5300	# the namespace is the test's own: nothing else listens
cat > "$T/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $UPORT
	do-daemonize: no
	use-syslog: no
	logfile: ""
	verbosity: 1
	username: ""
	chroot: ""
	directory: "$T"
	pidfile: "$T/unbound.pid"
	module-config: "iterator"
	use-caps-for-id: yes
	qname-minimisation: yes
	qname-minimisation-strict: no
	do-not-query-localhost: no
	harden-referral-path: no
	domain-insecure: "mesos"
	val-log-level: 0
	num-threads: 1
	outgoing-range: 64
	so-reuseport: no
stub-zone:
	name: "mesos"
	stub-addr: 192.0.2.2@53
remote-control:
	control-enable: no
CONF
ip netns exec "$CLI_NS" unbound -d -c "$T/unbound.conf" > "$T/unbound.log" 2>&1 &
echo "$!" >> "$T/helper.pids"
ub() {
	ip netns exec "$CLI_NS" dig +time=3 +tries=2 -p "$UPORT" @127.0.0.1 "$@" 2>&1
}
i=0
while [ $i -lt 50 ] && ! ub . NS +short > /dev/null 2>&1 &&
    ! ub mesos SOA | grep -q 'status:'; do
	sleep 0.1
	i=$((i + 1))
done
r=$(ub web.marathon.mesos A)
like "$r" "status: NOERROR" "Unbound (0x20, QNAME minimisation): A answered"
is "$(ub web.marathon.mesos A +short | flat)" "$WEB" "Unbound: every address"
r=$(ub _web._tcp.marathon.mesos SRV)
like "$r" "ANSWER: 12," "Unbound: the SRV set (six tasks, two ports each)"
like "$(ub nosuch.marathon.mesos A)" "status: NXDOMAIN" "Unbound: NXDOMAIN passed on"
like "$(ub _tcp.marathon.mesos A)" "status: NOERROR" \
    "Unbound: an empty non-terminal is NODATA (QNAME minimisation walks it)"
unlike "$(cat "$T/unbound.log")" "error|capsforid|fallback" \
    "Unbound logs no error and no 0x20 fallback"

# dnsmasq in the client host: the Mesos domain to taskdns.
DPORT=$((UPORT + 1))
ip netns exec "$CLI_NS" dnsmasq --keep-in-foreground --conf-file=/dev/null \
    --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-interfaces \
    --port="$DPORT" --server=/mesos/192.0.2.2 --user=root \
    --pid-file="$T/dnsmasq.pid" --log-facility=- > "$T/dnsmasq.log" 2>&1 &
echo "$!" >> "$T/helper.pids"
dm() {
	ip netns exec "$CLI_NS" dig +time=3 +tries=2 -p "$DPORT" @127.0.0.1 "$@" 2>&1
}
i=0
while [ $i -lt 50 ] && ! dm mesos SOA | grep -q 'status:'; do
	sleep 0.1
	i=$((i + 1))
done
is "$(dm web.marathon.mesos A +short | flat)" "$WEB" "dnsmasq server=/mesos/: every address"
like "$(dm _web._tcp.marathon.mesos SRV)" "ANSWER: 12," "dnsmasq: the SRV set"
like "$(dm nosuch.marathon.mesos A)" "status: NXDOMAIN" "dnsmasq: NXDOMAIN passed on"
finish_daemon
done_testing
