#!/bin/sh
# As a user runs it: in a private network namespace, taskdns on port 53 of
# 127.0.0.1, a bind-mounted /etc/resolv.conf naming it, and glibc's
# resolver (getent hosts / ahosts) finding tasks.  (getent ahostsv4/v6 use
# AI_ADDRCONFIG, which finds no non-loopback address in the namespace and
# so never asks; ahosts and hosts do ask.)
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 7
watchdog 60
printf '{"listener":"127.0.0.1","port":53,"stateFile":"%s","externalOn":false}\n' \
    "$TOP_SRCDIR/conf/demo-state.json" > "$T/c.json"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$T/resolv.conf"
cat > "$T/inside.sh" <<SH
set -u
ip link set lo up
mount --bind "$T/resolv.conf" /etc/resolv.conf
"$TASKDNS" -config "$T/c.json" 2> "$T/log" &
pid=\$!
i=0
while [ \$i -lt 100 ] && ! grep -q 'ready:' "$T/log"; do sleep 0.05; i=\$((i + 1)); done
echo "hosts4=\$(getent ahosts api.marathon.mesos | awk '\$1 ~ /^[0-9.]+\$/ {print \$1}' | sort -u | tr '\n' ' ')"
echo "hosts=\$(getent hosts api.marathon.mesos | awk '{print \$1}')"
echo "v6=\$(getent hosts ipv6-app.marathon.mesos | awk '{print \$1}')"
echo "canonical=\$(getent ahosts \$(dig +short -p 53 @127.0.0.1 _web._tcp.marathon.mesos SRV | head -n 1 | awk '{print \$4}') | awk '{print \$1}' | sort -u | head -n 1)"
getent hosts nosuchtask.marathon.mesos > /dev/null
echo "missing=\$?"
kill -TERM \$pid
wait \$pid
echo "exit=\$?"
SH
out=$(unshare -n -m sh "$T/inside.sh" 2>&1)
echo "$out" | sed 's/^/# /'
like "$out" 'hosts4=10\.0\.1\.10 10\.0\.1\.11 10\.0\.1\.12 10\.0\.1\.13 $' "getent ahosts: every IPv4 address of a task name"
like "$out" 'hosts=fd00:d::5$' "getent hosts: glibc asks AAAA first and gets the IPv6 agent's"
like "$out" 'v6=fd00:c0de::10$' "getent hosts: the IPv6 container address"
like "$out" 'canonical=172\.17\.0\.1[0-5]' "getent ahosts resolves an SRV target"
like "$out" 'missing=2' "a missing task: getent says not found (NXDOMAIN)"
like "$out" 'exit=0' "taskdns on port 53 stops cleanly"
unlike "$(cat "$T/log")" 'Sanitizer|runtime error' "no sanitizer report in the daemon's log"
done_testing
