#!/bin/sh
# resolvers [] takes the nameservers of /etc/resolv.conf that are not this
# host, as mesos-dns.  In a private network and mount namespace: a
# bind-mounted resolv.conf, and 10.77.0.1 made a local address.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 5
watchdog 60
printf '{"listener":"127.0.0.1","port":5353,"stateFile":"%s","resolvers":[]}\n' \
    "$TOP_SRCDIR/conf/demo-state.json" > "$T/c.json"
cat > "$T/resolv.mixed" <<'EOF2'
# taskdns itself, a local address, and two real upstreams
nameserver 127.0.0.1
nameserver 10.77.0.1
nameserver 192.0.2.1
nameserver ::1
nameserver 2001:db8::53
options timeout:1
EOF2
printf 'nameserver 127.0.0.1\nnameserver 10.77.0.1\n' > "$T/resolv.local"
cat > "$T/inside.sh" <<SH
set -u
ip link set lo up
ip addr add 10.77.0.1/32 dev lo
for f in mixed local; do
	mount --bind "$T/resolv.\$f" /etc/resolv.conf
	"$TASKDNS" -config "$T/c.json" 2> "$T/log.\$f" &
	pid=\$!
	i=0
	while [ \$i -lt 100 ] && ! grep -q 'ready:' "$T/log.\$f"; do
		sleep 0.05
		i=\$((i + 1))
	done
	echo "\$f: \$(dig +time=2 +tries=1 -p 5353 @127.0.0.1 www.example.org A | grep -o 'status: [A-Z]*')"
	kill -TERM \$pid
	wait \$pid
	echo "\$f: exit=\$?"
	umount /etc/resolv.conf
done
SH
out=$(unshare -n -m sh "$T/inside.sh" 2>&1)
echo "$out" | sed 's/^/# /'
like "$(cat "$T/log.mixed")" \
    'forwarding other names to 192\.0\.2\.1:53, \[2001:db8::53\]:53 ' \
    "resolvers []: resolv.conf's servers but loopback and local addresses"
like "$(cat "$T/log.local")" \
    "resolv.conf names no nameserver but this host" \
    "only local servers in resolv.conf: said at start-up"
like "$out" 'local: status: SERVFAIL' "(and other names get SERVFAIL)"
is "$(echo "$out" | grep -c ': exit=0$')" "2" "both stop cleanly"
unlike "$(cat "$T/log.mixed" "$T/log.local")" 'Sanitizer|runtime error' \
    "no sanitizer report in the daemon's logs"
done_testing
