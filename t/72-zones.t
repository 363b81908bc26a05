#!/bin/sh
# 72-zones.t - static zone files (issue 17): the answers for each zone of
# t/fixtures/zones are NSD's for the same files (a real NSD on loopback,
# every name of each zone with its neighbours, t/zonediff.py); a changed
# file is served within a second or two, on SIGHUP too; a file that does
# not load is refused with file:line and the reason while the last good
# version keeps serving.
. "$(dirname "$0")/lib.sh"
plan 50
watchdog 240

need nsd kdig python3
Z=$TOP_SRCDIR/t/fixtures/zones
ZONES="example.internal deep.example.internal 2.0.192.in-addr.arpa"

# --- NSD, the reference ---------------------------------------------------
mkdir -p "$T/nsd"
cp "$Z"/*.zone "$T/nsd/"
zconf=
for z in $ZONES; do
	zconf="${zconf}zone:
	name: $z
	zonefile: $z.zone
	provide-xfr: 127.0.0.1 NOKEY
"
done
start_nsd "$zconf" web.example.internal

# --- taskdns, the same files (copies it may see change) ---------------------
mkdir -p "$T/zones"
cp "$Z"/*.zone "$T/zones/"
# A zone of CNAMEs into the other zones (taskdns only: NSD has no Mesos
# zone to follow them into).
cat > "$T/zones/chase.internal.zone" <<'EOF'
@	IN SOA	ns1.example.internal. hostmaster.example.internal. 1 3600 600 86400 60
	IN NS	ns1.example.internal.
task	IN CNAME api.marathon.mesos.
gone	IN CNAME nothing.marathon.mesos.
static	IN CNAME www.example.internal.
EOF
ZCONF='"zones": {"example.internal": "zones/example.internal.zone",
    "deep.example.internal.": "zones/deep.example.internal.zone",
    "2.0.192.in-addr.arpa": "zones/2.0.192.in-addr.arpa.zone",
    "chase.internal": "zones/chase.internal.zone"}'
start_taskdns "\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\",
    \"externalOn\": false, $ZCONF" || exit 1
like "$(cat "$LOG")" 'zone example.internal. loaded from .*example.internal.zone: [0-9]+ records, serial 2026120401' \
    "the zone's load is logged with its records and serial"
like "$(cat "$LOG")" 'zone deep.example.internal. loaded from .*: 6 records, serial 7' \
    "a zone with an \$INCLUDE: the included records count"

# --- the differential test ------------------------------------------------
for z in $ZONES; do
	kdig -p "$NSD_PORT" @127.0.0.1 AXFR "$z" +timeout=2 +noall \
	    +answer 2> /dev/null | awk '{ print tolower($1) }' | sort -u \
	    > "$T/names.$z"
	out=$(python3 "$TOP_SRCDIR/t/zonediff.py" "$NSD_PORT" "$PORT" "$z" \
	    "$T/names.$z" 2>&1)
	last=$(printf '%s\n' "$out" | tail -n 1)
	names=$(wc -l < "$T/names.$z")
	like "$last" '^queries [0-9]+ differ 0$' \
	    "$z: every answer is NSD's ($names names, $last)"
	printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
done
# Names across the zones: the longer apex answers; in no zone, REFUSED.
out=$(python3 "$TOP_SRCDIR/t/zonediff.py" "$NSD_PORT" "$PORT" x /dev/null \
    api.deep.example.internal/A any.deep.example.internal/A \
    deep.example.internal/NS deep.example.internal/SOA \
    svc.deep.example.internal/TXT x.y.deep.example.internal/A \
    80.2.0.192.in-addr.arpa/PTR 99.2.0.192.in-addr.arpa/PTR \
    5.0/26.2.0.192.in-addr.arpa/PTR 2.0.192.in-addr.arpa/NS)
like "$(printf '%s\n' "$out" | tail -n 1)" '^queries 10 differ 0$' \
    "names in nested zones and a classless delegation: as NSD"
out=$(q task.chase.internal A +noall +answer)
like "$out" 'task.chase.internal.*CNAME.*api.marathon.mesos' \
    "a CNAME into the Mesos zone..."
is "$(printf '%s\n' "$out" | grep -c 'api.marathon.mesos.*IN.A')" "4" \
    "...is followed there: the task's four addresses in the answer"
out=$(q gone.chase.internal A)
like "$out" 'status: NXDOMAIN' \
    "a chain into the Mesos zone to a name it has not: NXDOMAIN (RFC 6604)"
like "$out" 'mesos.*SOA' "...with the Mesos zone's SOA"
out=$(q static.chase.internal A +noall +answer)
like "$out" 'www.example.internal.*CNAME.*web.example.internal' \
    "a CNAME into another static zone is followed, its chain too..."
is "$(printf '%s\n' "$out" | grep -c 'web.example.internal.*IN.A')" "2" \
    "...to the addresses"
is "$(qs api.deep.example.internal A)" "192.0.2.150" \
    "the longer apex answers (deep.example.internal)"
like "$(q leader.mesos A)" 'status: NOERROR' "the Mesos zone still answers"
like "$(q www.example.com A)" 'status: REFUSED' \
    "a name in no zone: REFUSED with forwarding off"
like "$(q web.example.internal A +norec)" 'flags: qr aa' \
    "a static zone's answer is authoritative"
like "$(q sub.example.internal A +norec)" "flags: qr( ra)?;" \
    "a referral is not (AA clear)"

# --- changes --------------------------------------------------------------
# $1 zone file, $2 serial: the SOA line's serial replaced.
set_serial() {
	sed -i "s/2026120401/$2/" "$1"
}
F=$T/zones/example.internal.zone
cp "$F" "$T/good.zone"
printf 'added\tIN A\t192.0.2.200\n' >> "$F"
set_serial "$F" 2026120402
is "$(wait_answer added.example.internal A 192.0.2.200 5)" "192.0.2.200" \
    "a changed zone file is served within seconds"
like "$(q example.internal SOA +short)" ' 2026120402 ' \
    "the zone's SOA serial is the file's"

# Broken files: refused with file:line and the reason, the last good one
# serving.  $1: what to append, $2: the reason expected in the log.
refuse() {
	cp "$T/good.zone" "$F"
	set_serial "$F" 2026120402
	printf 'added\tIN A\t192.0.2.200\n' >> "$F"
	printf '%s\n' "$1" >> "$F"
	n=$(wc -l < "$F")
	: > "$LOG.mark"
	_i=0
	while [ "$_i" -lt 60 ]; do
		grep -q "refused: .*example.internal.zone:$n: $2" "$LOG" && break
		sleep 0.1
		_i=$((_i + 1))
	done
	like "$(grep 'refused' "$LOG" | tail -n 1)" \
	    "zone example.internal. refused: .*example.internal.zone:$n: $2.*serial 2026120402 keeps serving" \
	    "refused with file:line: $3"
}
refuse 'bad	IN A	not-an-address' 'invalid address' "a syntax error"
is "$(qs added.example.internal A)" "192.0.2.200" \
    "the last good version keeps serving"
refuse 'www	IN A	192.0.2.9' 'a CNAME and other data' "a CNAME beside other data"
refuse 'out.example.org.	IN A	192.0.2.9' 'out of the zone' \
    "data outside the zone"
refuse '$INCLUDE ../good.zone' "\\\$INCLUDE .* is not below the zone file's folder" \
    "an \$INCLUDE outside the zone's folder"
refuse 'sub2	IN SOA	ns1 hostmaster 1 2 3 4 5' 'an SOA below the apex' \
    "an SOA below the apex"
sed 's/^@.*IN SOA.*/@\t\tIN TXT\t"no SOA"/' "$T/good.zone" > "$F"
sleep 1.5
like "$(grep 'refused' "$LOG" | tail -n 1)" 'no SOA at the apex' \
    "a zone file without an SOA is refused"
is "$(qs web.example.internal A | tr '\n' ' ')" "192.0.2.80 192.0.2.81 " \
    "...and the zone still answers from the last good version"

# zoneMaxRecords, and SIGHUP: the config read again re-reads every file.
cp "$T/good.zone" "$F"
sed -i 's/"zones"/"zoneMaxRecords": 10, "zones"/' "$T/config.json"
kill -HUP "$PID"
wait_log 'more than 10 records \(zoneMaxRecords\)' 5
like "$(grep 'refused' "$LOG" | tail -n 1)" 'example.internal.zone:[0-9]+: more than 10 records \(zoneMaxRecords\)' \
    "SIGHUP: a zone past zoneMaxRecords is refused with its line"
is "$(qs deep.example.internal SOA | awk '{ print $3 }')" "7" \
    "...zones within the cap still load"
sed -i 's/"zoneMaxRecords": 10, //' "$T/config.json"
set_serial "$F" 2026120409
kill -HUP "$PID"
wait_log 'serial 2026120409' 5
like "$(q example.internal SOA +short)" ' 2026120409 ' \
    "SIGHUP: the zone read again (new serial)"
is "$(qs added.example.internal A)" "" "...and the record removed from the file is gone"

# A zone file that does not exist at start: logged, the rest serve.
stop_taskdns
start_taskdns "\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\",
    \"externalOn\": false, \"zones\": {\"example.internal\":
    \"zones/example.internal.zone\", \"missing.internal\":
    \"zones/missing.zone\"}" || exit 1
like "$(cat "$LOG")" 'zone missing.internal. refused: .*missing.zone: No such file or directory; the zone is not served' \
    "a missing zone file at start: refused, logged"
is "$(qs web.example.internal A | tr '\n' ' ')" "192.0.2.80 192.0.2.81 " \
    "...and the other zones serve"
cp "$T/zones/2.0.192.in-addr.arpa.zone" "$T/zones/missing.zone"
sed -i 's/^\$ORIGIN.*//; s/^@\tIN NS\tns.sub.*//' "$T/zones/missing.zone"
wait_log 'zone missing.internal. loaded' 5
like "$(grep 'missing.internal' "$LOG" | tail -n 1)" 'loaded from .*missing.zone' \
    "...and loads once the file appears"

# A zone file for the Mesos domain itself adds to the generated zone.
stop_taskdns
cat > "$T/zones/mesos.zone" <<'EOF'
; no SOA: the generated zone's SOA and NS are served
$ORIGIN mesos.
registry	IN A	192.0.2.10
leader		IN A	192.0.2.99
ui		IN CNAME api.marathon.mesos.
*.lb		IN A	192.0.2.80
api.marathon	IN TXT	"static beside generated"
a.b		IN TXT	"ent"
@		IN NS	ns.elsewhere.example.
EOF
start_taskdns "\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\",
    \"externalOn\": false, \"zones\": {\"mesos\": \"zones/mesos.zone\"}" ||
    exit 1
is "$(qs registry.mesos A)" "192.0.2.10" "Mesos domain file: a static name"
is "$(qs leader.mesos A)" "192.0.2.99" \
    "...its rrset is served where a generated one shares name and type"
wait_log 'leader.mesos. is served from the zone file' 3
like "$(grep -c 'leader.mesos. is served from the zone file' "$LOG")" '^1$' \
    "...and the log says so once"
out=$(q ui.mesos A +noall +answer)
is "$(printf '%s\n' "$out" | grep -c 'api.marathon.mesos.*IN.A')" "4" \
    "...a CNAME to a task name is followed into the generated names"
is "$(qs x.lb.mesos A)" "192.0.2.80" "...a wildcard"
is "$(qs api.marathon.mesos TXT)" '"static beside generated"' \
    "...another type beside generated records"
is "$(qs api.marathon.mesos A | wc -l | tr -d ' ')" "4" \
    "...which stay"
like "$(q mesos SOA +short)" '^ns1\.mesos\. root\.ns1\.mesos\. ' \
    "...the SOA is the generated zone's"
is "$(qs mesos NS)" "ns1.mesos." "...and so is the NS"
like "$(q b.mesos A | tr '\n' ' ')" 'status: NOERROR.*ANSWER: 0,' \
    "...a name the file holds only as a parent: NODATA"
out=$(q nothere.mesos A)
like "$out" 'status: NXDOMAIN' "...a name neither has: NXDOMAIN"
like "$out" 'mesos.*SOA.*ns1\.mesos' "...with the generated SOA"

# A config that names a zone badly is refused.
printf '{"zones": {"bad..apex": "x.zone"}, "stateFile": "%s"}\n' \
    "$TOP_SRCDIR/conf/demo-state.json" > "$T/bad.json"
out=$("$TASKDNS" -config "$T/bad.json" --print-records 2>&1)
like "$out" 'zones: "bad..apex" is not a valid zone apex' \
    "a bad apex in zones: the config is refused"
printf '{"zones": {"example.internal": 3}, "stateFile": "%s"}\n' \
    "$TOP_SRCDIR/conf/demo-state.json" > "$T/bad.json"
out=$("$TASKDNS" -config "$T/bad.json" --print-records 2>&1)
like "$out" 'zones.example.internal: expected the path of a zone file' \
    "a zone that is not a path: refused"
finish_daemon
done_testing
