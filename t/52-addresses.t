#!/bin/sh
# Hosts with more than one address, and both IP families.  In network
# namespaces of the test's own: a server host with two IPv4 and two IPv6
# addresses on one interface, a client host beside it.
# - The default listener (0.0.0.0) answers IPv4 and IPv6, and every UDP
#   answer leaves from the address its query was sent to: dig, and glibc
#   through resolv.conf, accept nothing else.
# - "::" is dual-stack too; nameserver ::1 works with the default config.
# - listeners: a list of addresses, bound each and nothing else; the
#   SOAMname's records follow them.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need ip dig getent
plan 27
watchdog 120
netns_pair || { echo "Bail out! cannot create network namespaces"; exit 1; }

# serve LISTENER_JSON: taskdns on port 53 in the server namespace.
serve() {
	printf '{%s, "port": 53, "httpOn": false, "stateFile": "%s"}\n' \
	    "$1" "$TOP_SRCDIR/conf/demo-state.json" > "$T/c.json"
	LOG=$T/taskdns.log
	: > "$LOG"
	ip netns exec "$SRV_NS" ${TASKDNS_WRAP:-} "$TASKDNS" \
	    -config "$T/c.json" 2> "$LOG" &
	PID=$!
	wait_log 'ready:|error|cannot' "${TASKDNS_START_WAIT:-10}"
}

# ask ADDR NAME [TYPE] [dig options]: dig from the client namespace.
ask() {
	_a=$1
	_n=$2
	shift 2
	ip netns exec "$CLI_NS" dig +time=2 +tries=1 +short @"$_a" "$_n" "$@" \
	    2>&1 | sort | tr '\n' ' ' | sed 's/ $//'
}

WEB='172.17.0.10 172.17.0.11 172.17.0.12 172.17.0.13 172.17.0.14 172.17.0.15'

# Forwarding on, to an upstream that refuses at once (nothing listens
# on its port): the SERVFAIL comes back on the forwarding path.
serve '"listener": "0.0.0.0", "resolvers": ["127.0.0.1:9"], "timeout": 2, "recurseFrom": ["0.0.0.0/0", "::/0"]'
like "$(cat "$LOG")" 'ready: zone mesos\. on 0\.0\.0\.0, :: port 53' \
    "0.0.0.0: listening on 0.0.0.0 and ::"
for a in 192.0.2.1 192.0.2.2 2001:db8::1 2001:db8::2; do
	is "$(ask "$a" web.marathon.mesos A)" "$WEB" "UDP to $a: answered from $a"
done
is "$(ask 2001:db8::2 web.marathon.mesos A +tcp)" "$WEB" "TCP to 2001:db8::2"
is "$(ip netns exec "$SRV_NS" dig +time=2 +tries=1 +short @::1 web.marathon.mesos | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$WEB" "nameserver ::1 with the default listener"
r=$(ip netns exec "$CLI_NS" dig +time=4 +tries=1 @192.0.2.2 example.org A 2>&1)
like "$r" "status: SERVFAIL" "a forwarded query's answer also leaves from 192.0.2.2"
printf 'nameserver 192.0.2.2\noptions timeout:2 attempts:1\n' > "$T/resolv.2"
out=$(in_ns "$CLI_NS" "$T/resolv.2" getent ahosts web.marathon.mesos |
    awk '{print $1}' | sort -u | tr '\n' ' ' | sed 's/ $//')
is "$out" "$WEB" "glibc with nameserver 192.0.2.2 (the second address)"
printf 'nameserver 2001:db8::2\noptions timeout:2 attempts:1\n' > "$T/resolv.6"
out=$(in_ns "$CLI_NS" "$T/resolv.6" getent hosts ipv6-app.marathon.mesos |
    awk '{print $1}')
is "$out" "fd00:c0de::10" "glibc with nameserver 2001:db8::2"
in_ns "$CLI_NS" "$T/resolv.2" getent hosts nosuch.marathon.mesos > /dev/null
is "$?" "2" "glibc, second address: a missing name is not found"
is "$(ask 192.0.2.2 ns1.mesos A)" "192.0.2.1 192.0.2.2" \
    "SOAMname A: the host's addresses (0.0.0.0)"
is "$(ask 192.0.2.2 ns1.mesos AAAA)" "2001:db8::1 2001:db8::2" \
    "SOAMname AAAA: the host's IPv6 addresses (0.0.0.0 is dual-stack)"
finish_daemon

serve '"listener": "::", "externalOn": false'
like "$(cat "$LOG")" 'ready: zone mesos\. on 0\.0\.0\.0, :: port 53' \
    "::: listening on 0.0.0.0 and :: as well"
is "$(ask 192.0.2.2 web.marathon.mesos A)" "$WEB" "::: IPv4 to the second address"
is "$(ask 2001:db8::2 web.marathon.mesos A)" "$WEB" "::: IPv6 to the second address"
finish_daemon

serve '"listeners": ["192.0.2.2", "2001:db8::2"], "externalOn": false'
like "$(cat "$LOG")" 'on 192\.0\.2\.2, 2001:db8::2 port 53' \
    "listeners: both addresses bound"
is "$(ask 192.0.2.2 web.marathon.mesos A)" "$WEB" "listeners: 192.0.2.2 answers"
is "$(ask 2001:db8::2 web.marathon.mesos A +tcp)" "$WEB" "listeners: 2001:db8::2 answers (TCP)"
like "$(ask 192.0.2.1 web.marathon.mesos A)" "timed out|connection refused|no servers" \
    "listeners: 192.0.2.1 is not served"
is "$(ask 192.0.2.2 ns1.mesos ANY +tcp | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "192.0.2.2 2001:db8::2" "SOAMname: the listeners' addresses"
finish_daemon
done_testing
