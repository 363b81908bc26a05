#!/bin/sh
# 77-edns.t - DNS cookies (RFC 7873, RFC 9018), NSID (RFC 5001) and ANY
# over UDP (RFC 8482), issue 19: dig and kdig get a server cookie and
# are accepted with it; two replicas with one cookieSecret accept each
# other's; under rate limiting a good cookie is never limited and a bad
# one gets BADCOOKIE with a new cookie; NSID names the replica.
. "$(dirname "$0")/lib.sh"
plan 15
watchdog 120

need dig kdig python3

SECRET=e5e973e5a6b2a43f48e7dc849e37bfcf
cp "$TOP_SRCDIR/conf/demo-state.json" "$T/state.json"
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"cookieSecret\": \"$SECRET\", \"nsid\": \"replica-a\"" || exit 1
A=$PORT
PID_A=$PID

cookie_of() { sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p'; }
r=$(dig +time=2 +tries=1 -p "$A" @127.0.0.1 mesos SOA +cookie)
C=$(printf '%s\n' "$r" | cookie_of)
[ "${#C}" -eq 48 ]
ok $? "dig's client cookie gets a server cookie back (${#C} hex digits)"
like "$(printf '%s\n' "$C" | cut -c17-24)" '^01000000$' \
    "RFC 9018: version 1, reserved zero"
r=$(dig +time=2 +tries=1 -p "$A" @127.0.0.1 mesos SOA +cookie="$C")
like "$r" "COOKIE: [0-9a-f]* \\(good\\)" "sent back, dig finds ours good"
like "$r" 'status: NOERROR' "and the query is answered"
r=$(kdig +timeout=2 -p "$A" @127.0.0.1 +cookie mesos SOA)
like "$r" 'COOKIE: [0-9A-F]{48}' "kdig +cookie: a server cookie too"
r=$(dig +time=2 +tries=1 -p "$A" @127.0.0.1 mesos SOA +cookie=0011)
like "$r" 'status: FORMERR' "a cookie of 2 octets: FORMERR (RFC 7873 5.2.2)"
r=$(dig +time=2 +tries=1 -p "$A" @127.0.0.1 mesos SOA +nsid)
like "$r" 'NSID: .*\("replica-a"\)' "NSID: the replica's"
r=$(dig +time=2 +tries=1 -p "$A" @127.0.0.1 mesos SOA)
unlike "$r" 'NSID' "only when asked"

# --- a second replica with the same secret ---------------------------------
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"cookieSecret\": \"$SECRET\", \"nsid\": \"hostname\",
    \"rateLimit\": {\"responsesPerSecond\": 2, \"slip\": 1}" || exit 1
B=$PORT
r=$(dig +time=2 +tries=1 -p "$B" @127.0.0.1 mesos SOA +cookie="$C")
like "$r" "COOKIE: [0-9a-f]* \\(good\\)" \
    "replica B, the same cookieSecret: replica A's cookie is good"
like "$(dig +time=2 +tries=1 -p "$B" @127.0.0.1 mesos SOA +nsid)" \
    "NSID: .*\\(\"$(hostname | cut -c1-64)\"\\)" "nsid hostname: the host's name"
# B limits 2 answers a second: 20 queries at once from one address.
burst() {	# burst COOKIE-HEX: rcode counts of 20 queries sent at once
	python3 - "$B" "$1" <<'PY'
import socket, struct, sys, time
port, cookie = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
opt = struct.pack("!HH", 10, len(cookie)) + cookie
q = lambda i: (struct.pack("!HHHHHH", i, 0, 1, 0, 0, 1) +
    b"\x05mesos\x00" + struct.pack("!HH", 6, 1) +
    b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(opt)) + opt)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for i in range(20):
    s.sendto(q(i), ("127.0.0.1", port))
got = {}
try:
    while True:
        r = s.recv(4096)
        rc = r[3] & 15
        if r[2] & 2:
            rc = "tc"
        # the extended RCODE's upper bits, in the OPT's TTL
        if b"\x00\x00\x29" in r[12:]:
            at = r.index(b"\x00\x00\x29", 12)
            rc = (r[at + 5] << 4 | (r[3] & 15)) if not r[2] & 2 else rc
        got[rc] = got.get(rc, 0) + 1
except socket.timeout:
    pass
print(" ".join("%s=%d" % (k, v) for k, v in sorted(got.items(), key=str)))
PY
}
sleep 1
good=$(burst "$C")
is "$good" "0=20" "a good server cookie is never rate limited (20 of 20 answered)"
sleep 1
bad=$(burst "$(printf '%s' "$C" | cut -c1-16)010000000000000000000000deadbeef")
like "$bad" '23=1[0-9]' "a bad one where it would be limited: BADCOOKIE ($bad)"
like "$bad" '0=[1-4]( |$)' "within the rate (two seconds' worth at most): answered ($bad)"
sleep 1
client=$(burst "$(printf '%s' "$C" | cut -c1-16)")
like "$client" 'tc=1[0-9]' "a client cookie alone: limited as any query, slipped ($client)"

# --- ANY over UDP -------------------------------------------------------------
n_udp=$(dig +time=2 +tries=1 +notcp -p "$A" @127.0.0.1 mesos ANY +noall +answer | awk '{ print $4 }' | sort -u | wc -l)
n_tcp=$(dig +time=2 +tries=1 +tcp -p "$A" @127.0.0.1 mesos ANY +noall +answer | awk '{ print $4 }' | sort -u | wc -l)
[ "$n_udp" -eq 1 ] && [ "$n_tcp" -eq 2 ]
ok $? "ANY: one rrset over UDP ($n_udp type), every one over TCP ($n_tcp types)"
stop_taskdns
PID=$PID_A
stop_taskdns
done_testing
