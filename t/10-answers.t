#!/bin/sh
# Answers from the demo cluster, checked with dig: A, AAAA, SRV with
# additional addresses, NXDOMAIN and NODATA with the SOA, SOA and NS at the
# apex, case, EDNS, REFUSED outside the zone, shuffling.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 33
watchdog 60
start_taskdns "\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\", \"externalOn\": false" || exit 1

r=$(q web.marathon.mesos A)
like "$r" 'flags: qr aa rd' "A answer is authoritative"
like "$r" 'status: NOERROR' "A answer is NOERROR"
is "$(qs web.marathon.mesos A | tr '\n' ' ')" \
    "172.17.0.10 172.17.0.11 172.17.0.12 172.17.0.13 172.17.0.14 172.17.0.15 " \
    "web: every container IP (netinfo)"
is "$(qs api.marathon.mesos A | tr '\n' ' ')" \
    "10.0.1.10 10.0.1.11 10.0.1.12 10.0.1.13 " "api: host IPs of its agents"
is "$(qs ipv6-app.marathon.mesos AAAA)" "fd00:c0de::10" "AAAA from an IPv6 container"
is "$(qs ipv6-app.marathon.slave.mesos AAAA)" "fd00:d::5" "AAAA of an IPv6 agent"
r=$(q ipv6-app.marathon.mesos A)
like "$r" 'status: NOERROR' "NODATA: the name exists without A"
like "$r" 'AUTHORITY: 1' "NODATA carries the SOA"

r=$(q _web._tcp.marathon.mesos SRV)
like "$r" 'ANSWER: 12,' "SRV: two discovery ports for six tasks"
like "$r" '_web\._tcp\.marathon\.mesos\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SRV[[:space:]]+0 1 8080 web-[a-z0-9]{5}-s[0-9]\.marathon\.mesos\.' \
    "SRV priority 0, weight 1, port, target"
like "$r" 'ADDITIONAL SECTION:' "SRV answer has an additional section"
like "$r" 'web-[a-z0-9]{5}-s[0-9]\.marathon\.mesos\.[[:space:]]+60[[:space:]]+IN[[:space:]]+A[[:space:]]+172\.17\.0\.' \
    "additional holds the targets' addresses"
is "$(qs _http._web._tcp.marathon.mesos SRV | awk '{print $3}' | sort -u)" "8080" \
    "named port: _http._web._tcp"
is "$(qs _metrics._broker-0._udp.kafka.mesos SRV | awk '{print $3}' | sort -u)" "9999" \
    "named port with protocol UDP and name Metrics, sanitised"
is "$(qs _api._udp.marathon.slave.mesos SRV | wc -l | tr -d ' ')" "5" \
    "agent ports under slave, udp too"

for t in A SRV TXT; do
	r=$(q nothere.marathon.mesos $t)
	like "$r" 'status: NXDOMAIN' "NXDOMAIN for $t"
	like "$r" 'ANSWER: 0, AUTHORITY: 1,' "NXDOMAIN for $t has one authority record"
done
r=$(q nothere.marathon.mesos SRV)
like "$r" 'mesos\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.mesos\. root\.ns1\.mesos\.' \
    "NXDOMAIN (SRV) has the zone's SOA in authority"

r=$(q mesos SOA)
like "$r" 'ANSWER: 1, AUTHORITY: 0,' "SOA at the apex is in the answer section"
like "$r" '^mesos\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.mesos\. root\.ns1\.mesos\. [0-9]+ 60 600 86400 60' \
    "SOA fields: mname, rname, serial, refresh, retry, expire, minimum"
is "$(qs mesos NS)" "ns1.mesos." "NS at the apex"
is "$(qs ns1.mesos A)" "127.0.0.1" "the SOAMname has the listener's address"

r=$(q WeB.MaRaThOn.MeSoS A)
like "$r" 'ANSWER: 6,' "lookup is case-insensitive"
like "$r" '^WeB\.MaRaThOn\.MeSoS\.[[:space:]]+60' "the question's case is kept in the answer"

like "$(q web.marathon.mesos A +bufsize=1400)" 'udp: 1232' "EDNS0: OPT is echoed with our size"
like "$(q example.com A)" 'status: REFUSED' "outside the zone: REFUSED"

# Shuffled: the first A record varies across queries.
firsts=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do q web.marathon.mesos A +short | head -n 1; done | sort -u | wc -l)
ok $([ "$firsts" -ge 2 ] && echo 0 || echo 1) "answers are shuffled ($firsts different first records)"
finish_daemon
done_testing
