#!/bin/sh
# What strict clients and compliance testers check, asked with dig and
# kdig: NOTIMP for opcodes we do not implement carries QR and the opcode
# alone; AXFR and IXFR are REFUSED (no transfers yet); a TSIG-signed query
# gets NOTAUTH with TSIG error BADKEY; the apex NS comes with its glue; a
# truncated answer carries the same records every time.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need dig kdig
plan 19
watchdog 120

# An app of 60 tasks: its A rrset does not fit 512 octets.
python3 "$TOP_SRCDIR/t/app-state.py" "$TOP_SRCDIR/conf/demo-state.json" \
    many 60 172.21.0 > "$T/state.json"
start_taskdns "\"stateFile\": \"$T/state.json\", \"SOAMname\": \"ns1.mesos\", \"externalOn\": false" || exit 1

for op in 2 3 15; do
	for e in +noedns +edns=0; do
		r=$(q mesos SOA +opcode=$op +cdflag $e | tr '\n' ' ')
		like "$r" "opcode: [A-Z0-9]+, status: NOTIMP.*flags: qr;" \
		    "opcode $op ($e): NOTIMP, flags qr only"
	done
done

r=$(kdig +time=2 +retry=0 -p "$PORT" @127.0.0.1 mesos AXFR 2>&1)
like "$r" "REFUSED" "kdig AXFR: REFUSED"
r=$(q mesos AXFR)
like "$r" "Transfer failed" "dig AXFR: transfer refused"
like "$($DNSQ "$PORT" query mesos 251)" "rcode=5" "IXFR over UDP: REFUSED"
like "$($DNSQ "$PORT" query mesos 251 --tcp)" "rcode=5" "IXFR over TCP: REFUSED"

key=hmac-sha256:nokey:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0
r=$(q web.marathon.mesos A -y "$key")
like "$r" "status: NOTAUTH" "a query signed with an unknown key: NOTAUTH"
like "$r" "TSIG.*hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0" \
    "its TSIG is unsigned and says BADKEY"
r=$(q web.marathon.mesos A -y "$key" +tcp)
like "$r" "status: NOTAUTH" "the same over TCP"

r=$(q mesos NS +norec)
like "$r" "ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 2" "mesos NS: one NS and its glue"
like "$r" "ns1\.mesos\.[[:space:]]+60[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.1" \
    "the glue is ns1.mesos's address (the listener)"

# Twenty truncated answers: one set of records.  Full ones still rotate.
n=$(for i in $(seq 1 20); do
	q many.marathon.mesos A +noedns +ignore +short | sort | tr '\n' ' '
	echo; done | sort -u | wc -l)
is "$n" "1" "20 truncated answers carry the same records"
n=$(for i in $(seq 1 20); do
	q many.marathon.mesos A +tcp +short | head -n 1; done | sort -u | wc -l)
[ "$n" -gt 1 ]
ok $? "over TCP the whole rrset still rotates ($n different first records)"
finish_daemon
done_testing
