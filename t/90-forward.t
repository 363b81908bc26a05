#!/bin/sh
# 90-forward.t - names outside the Mesos domain are forwarded upstream
# (issue 4): a real NSD on a free loopback port serving a zone written
# here, plus scripted upstreams (t/upstream.py): one that echoes what
# arrived, one that never answers; and a port where nothing listens.
. "$(dirname "$0")/lib.sh"
plan 78
watchdog 240

need nsd

# --- upstreams -------------------------------------------------------------

mkdir -p "$T/nsd"
cat > "$T/nsd/example.test.zone" <<'EOF'
$ORIGIN example.test.
$TTL 300
@	IN SOA ns1 hostmaster 1 3600 900 604800 300
	IN NS ns1
ns1	IN A 127.0.0.1
www	IN A 192.0.2.10
www	IN AAAA 2001:db8::10
@	IN MX 10 mail
mail	IN A 192.0.2.25
txt	IN TXT "hello from nsd"
; Signatures that sign nothing: NSD serves them to a DO query, which is
; all the DO test needs.
@	IN DNSKEY 257 3 13 dGFza2RucyB0ZXN0IGtleSBub3QgYSByZWFsIG9uZSBhdCBhbGwgISEhISEhISEhISEhISEhISEhISEhISEhISEhISE=
@	IN RRSIG SOA 13 2 300 20400101000000 20200101000000 4242 example.test. dGFza2RucyB0ZXN0IHNpZ25hdHVyZSBub3QgYSByZWFsIG9uZSBhdCBhbGwgISEhISEhISEhISEhISEhISEhISEhISE=
@	IN RRSIG DNSKEY 13 2 300 20400101000000 20200101000000 4242 example.test. dGFza2RucyB0ZXN0IHNpZ25hdHVyZSBub3QgYSByZWFsIG9uZSBhdCBhbGwgISEhISEhISEhISEhISEhISEhISEhISE=
www	IN RRSIG A 13 3 300 20400101000000 20200101000000 4242 example.test. dGFza2RucyB0ZXN0IHNpZ25hdHVyZSBub3QgYSByZWFsIG9uZSBhdCBhbGwgISEhISEhISEhISEhISEhISEhISEhISE=
EOF
# An RRset too big for 512 bytes: UDP without EDNS is truncated.
i=0
while [ "$i" -lt 40 ]; do
	printf 'big\tIN TXT "record-%02d-%s"\n' "$i" \
	    xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx >> "$T/nsd/example.test.zone"
	i=$((i + 1))
done

start_nsd 'zone:
	name: example.test
	zonefile: example.test.zone' www.example.test

start_upstream echo
ECHO_PORT=$UP_PORT
start_upstream blackhole
HOLE_PORT=$UP_PORT
# A port nothing listens on: bound for a moment, then closed.
DEAD_PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET,
    socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NSD="\"127.0.0.1:$NSD_PORT\""
ECHO="\"127.0.0.1:$ECHO_PORT\""
HOLE="\"127.0.0.1:$HOLE_PORT\""
DEAD="\"127.0.0.1:$DEAD_PORT\""
STATE="\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\""

# ms CMD...: run it, print how long it took in milliseconds.
ms() {
	_s=$(date +%s%N)
	"$@" > "$T/ms.out" 2>&1
	echo $((($(date +%s%N) - _s) / 1000000))
}

# lt A B NAME: assert A < B (numbers).
lt() {
	if [ "$1" -lt "$2" ]; then
		ok 0 "$3 ($1 < $2)"
	else
		ok 1 "$3 ($1 >= $2)"
	fi
}

# --- through NSD ------------------------------------------------------------

start_taskdns "$STATE, \"resolvers\": [$NSD], \"timeout\": 2, \"workers\": 2"
like "$(cat "$LOG")" "forwarding other names to 127.0.0.1:$NSD_PORT" \
    "the log names the upstream"
cmpq() { python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" compare "$NSD_PORT" "$@"; }
like "$(cmpq WwW.ExAmPle.TeSt A)" "same=1" \
    "A: the answer is NSD's byte for byte (mixed-case question kept)"
is "$(qs www.example.test AAAA)" "2001:db8::10" "AAAA forwarded"
is "$(qs example.test MX)" "10 mail.example.test." "MX forwarded"
is "$(qs txt.example.test TXT)" '"hello from nsd"' "TXT forwarded"
like "$(q nope.example.test A)" "status: NXDOMAIN" "NXDOMAIN forwarded"
like "$(cmpq nope.example.test A --edns 1232)" "same=1" \
    "NXDOMAIN with EDNS: NSD's answer byte for byte"
like "$(q www.example.test A)" "flags: qr aa rd;" \
    "the upstream's flags come back (AA, and no RA, from NSD)"
r=$(python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" query www.example.test A --id 4321)
like "$r" "id=4321" "the client's ID comes back"
# The large answer: truncated over UDP, whole over TCP.
like "$(q big.example.test TXT +noedns +ignore)" "flags: qr aa tc rd" \
    "UDP without EDNS: the upstream's TC reaches the client"
like "$(cmpq big.example.test TXT)" "same=1" \
    "the truncated answer is NSD's byte for byte"
r=$(q big.example.test TXT +noedns)
like "$r" "ANSWER: 40," "dig retries over TCP and gets all 40 records"
like "$(cmpq big.example.test TXT --tcp)" "same=1" \
    "over TCP the 2.5 kB answer is NSD's byte for byte"
like "$(cmpq big.example.test TXT --tcp)" "len=25[0-9][0-9]" \
    "(and it is the big one)"
# DNSSEC OK: NSD adds signatures only when the DO bit reached it.
is "$(q www.example.test A +dnssec | grep -c 'RRSIG')" "1" \
    "DO set: the RRSIG comes back"
like "$(q www.example.test A +dnssec)" "flags: do;" \
    "DO set: the answer's OPT has DO"
is "$(q www.example.test A | grep -c 'RRSIG')" "0" "DO clear: no RRSIG"
# In-zone names are still ours.
is "$(qs leader.mesos A)" "127.0.0.1" "Mesos names are answered by us"
like "$(q leader.mesos A)" "flags: qr aa rd ra;" "(authoritatively)"
r=$(python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" tcpmulti www.example.test A 100)
like "$r" "answers=100" \
    "100 forwarded queries pipelined on one TCP connection all answered"
finish_daemon

# --- what the upstream receives ---------------------------------------------

start_taskdns "$STATE, \"resolvers\": [$ECHO], \"timeout\": 2"
is "$(qs MiXeD.Case.test TXT | sed 's/id=[0-9]* //')" \
    '"rd=1 cd=0 edns=1232 do=0 q=MiXeD.Case.test via=udp"' \
    "upstream gets the question's case, RD and EDNS size"
is "$(qs x.test TXT +norecurse +cdflag +dnssec +bufsize=3000 |
    sed 's/id=[0-9]* //')" '"rd=0 cd=1 edns=3000 do=1 q=x.test via=udp"' \
    "RD clear, CD set, DO set and a 3000-byte size reach the upstream"
like "$(q x.test TXT +norecurse +cdflag)" "flags: qr ra cd;" \
    "the upstream's flags come back as they were (CD, no RD)"
is "$(qs x.test TXT +noedns | sed 's/id=[0-9]* //')" \
    '"rd=1 cd=0 edns=none do=0 q=x.test via=udp"' \
    "no EDNS in, no EDNS upstream"
is "$(qs x.test TXT +tcp | sed 's/id=[0-9]* //')" \
    '"rd=1 cd=0 edns=1232 do=0 q=x.test via=tcp"' \
    "a TCP client is forwarded over TCP"
is "$(qs x.test TXT +bufsize=9000 | sed 's/id=[0-9]* //')" \
    '"rd=1 cd=0 edns=4096 do=0 q=x.test via=udp"' \
    "over UDP a size past 4096 (c-ares's buffer) is asked as 4096"
like "$(q x.test TXT +nsid)" "status: NOERROR" \
    "an EDNS option (NSID) passes"
like "$(q x.test TXT -c CH)" "status: NOERROR" "class CH is forwarded too"
like "$(q x.test AXFR +tcp)" "Transfer failed|REFUSED" \
    "zone transfers are not relayed"
finish_daemon

# --- failing upstreams --------------------------------------------------------

start_taskdns "$STATE, \"resolvers\": [$DEAD], \"timeout\": 1"
t=$(ms q a.example.test A +time=4)
like "$(cat "$T/ms.out")" "status: SERVFAIL" "dead upstream: SERVFAIL"
lt "$t" 800 "dead upstream: SERVFAIL at once (port unreachable)"
finish_daemon

start_taskdns "$STATE, \"resolvers\": [$HOLE], \"timeout\": 1"
t=$(ms q a.example.test A +time=4)
like "$(cat "$T/ms.out")" "status: SERVFAIL" "black-holed upstream: SERVFAIL"
lt "$t" 1700 "black-holed upstream: SERVFAIL within the 1 s timeout"
lt 800 "$t" "(and not before it)"
t=$(ms q a.example.test A +time=4 +tcp)
like "$(cat "$T/ms.out")" "status: SERVFAIL" \
    "black-holed upstream over TCP: SERVFAIL"
lt "$t" 1700 "(within the timeout)"
finish_daemon

start_taskdns "$STATE, \"resolvers\": [$DEAD, $NSD], \"timeout\": 3"
t=$(ms q www.example.test A +time=4)
like "$(cat "$T/ms.out")" "192.0.2.10" "dead first, live second: answered"
lt "$t" 600 "dead first, live second: no timeout paid"
finish_daemon

start_taskdns "$STATE, \"resolvers\": [$HOLE, $NSD], \"timeout\": 3,
    \"workers\": 2"
t=$(ms q www.example.test A +time=4)
like "$(cat "$T/ms.out")" "192.0.2.10" \
    "black-holed first, live second: answered"
lt "$t" 900 "the second upstream is asked when the first is slow"
# Each dig has its own source port, so SO_REUSEPORT spreads them over both
# workers: what one worker learnt, the other uses.
slow=0
for i in 1 2 3 4 5 6 7 8; do
	t=$(ms q www.example.test AAAA +time=4)
	grep -q "2001:db8::10" "$T/ms.out" || slow=$((slow + 1000))
	[ "$t" -lt 150 ] || slow=$((slow + 1))
done
is "$slow" "0" \
    "8 more queries, on both workers: answered at once (the slow one is remembered)"
finish_daemon

# --- routing and refusing -----------------------------------------------------

start_taskdns "$STATE, \"resolvers\": [$DEAD], \"timeout\": 2,
    \"zoneResolvers\": {\"test\": [$NSD], \"Routed.Test.\": [$ECHO]}"
is "$(qs www.example.test A)" "192.0.2.10" \
    "zoneResolvers: test goes to NSD, not the dead default"
like "$(qs x.routed.test TXT)" "q=x.routed.test via=udp" \
    "zoneResolvers: the longest zone wins (routed.test to the echo)"
like "$(q www.example.org A)" "status: SERVFAIL" \
    "other names go to the default resolvers"
finish_daemon

start_taskdns "$STATE, \"resolvers\": [$NSD], \"externalOn\": false"
like "$(q www.example.test A)" "status: REFUSED" "externalOn false: REFUSED"
is "$(qs leader.mesos A)" "127.0.0.1" "(Mesos names still answered)"
finish_daemon

start_taskdns "$STATE, \"resolvers\": [$NSD],
    \"recurseFrom\": [\"192.0.2.0/24\", \"2001:db8::/32\"]"
like "$(q www.example.test A)" "status: REFUSED" \
    "recurseFrom without 127.0.0.1: REFUSED over UDP"
like "$(q www.example.test A +tcp)" "status: REFUSED" "(and over TCP)"
is "$(qs leader.mesos A)" "127.0.0.1" "(Mesos names still answered)"
finish_daemon

# --- many in flight -------------------------------------------------------------

start_taskdns "$STATE, \"resolvers\": [$HOLE], \"timeout\": 2,
    \"workers\": 1, \"forwardMaxInFlight\": 50"
r=$(python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" burst "n{i}.example.test" A 200 5)
like "$r" "answered=200" "past forwardMaxInFlight: every query answered"
like "$r" "rcode2=200" "(SERVFAIL: 150 at once, 50 at the timeout)"
like "$(cat "$LOG")" "50 queries in flight \\(forwardMaxInFlight\\)" \
    "the cap is logged"
finish_daemon

# Under valgrind when the build has no sanitizer (which checks leaks in
# every test); forwarded, timed-out and abandoned queries.
if ldd "$TASKDNS" | grep -q libasan; then
	WRAP=
else
	WRAP="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
fi
TASKDNS_WRAP=$WRAP TASKDNS_START_WAIT=60 start_taskdns "$STATE,
    \"resolvers\": [$NSD], \"timeout\": 1, \"workers\": 1,
    \"zoneResolvers\": {\"hole.test\": [$HOLE]}"
r=$(python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" burst "n{i}.hole.test" A 3000 10)
like "$r" "answered=3000" \
    "3000 queries in flight on one worker: all answered"
like "$r" "rcode2=3000" "(SERVFAIL at the timeout)"
r=$(python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" burst "n{i}.example.test" A 300 10)
like "$r" "answered=300" "a burst forwarded to NSD: all answered"
python3 "$TOP_SRCDIR/t/dnsq.py" "$PORT" burst "n{i}.hole.test" A 200 0.2 \
    > /dev/null
finish_daemon
CHECKER=LeakSanitizer
[ -n "$WRAP" ] && CHECKER=valgrind
unlike "$(cat "$LOG")" \
    "definitely lost|indirectly lost|Invalid (read|write)|uninitiali|LeakSanitizer" \
    "$CHECKER: no leak or error after the bursts (200 left in flight)"
done_testing
