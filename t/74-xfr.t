#!/bin/sh
# 74-xfr.t - zone transfers out (issue 18): AXFR of the Mesos zone equals
# --print-records, of a static zone and a reverse zone their records;
# IXFR of a current serial is the SOA alone, of an older one the whole
# zone; allowTransfer refuses everyone else (and everyone by default);
# NSD and Knot, as secondaries of taskdns on loopback, serve what taskdns
# transfers.
. "$(dirname "$0")/lib.sh"
plan 49
watchdog 200

need nsd knotd kdig dig python3

# The state and zones: data of our own (conf/, t/fixtures/zones).
mkdir -p "$T/zones"
cp "$TOP_SRCDIR/t/fixtures/zones/example.internal.zone" "$T/zones/"
cp "$TOP_SRCDIR/conf/demo-state.json" "$T/state.json"
# serialFile: a restart below comes within a second of this start, and
# must still take the serial forward (the secondaries hold this one).
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"serialFile\": \"$T/serial.kept\",
    \"allowTransfer\": [\"127.0.0.1\", \"::1\"],
    \"reverseZones\": [\"10.0.0.0/16\"],
    \"zones\": {\"example.internal\": \"zones/example.internal.zone\"},
    \"httpOn\": true, \"httpListener\": \"127.0.0.1\",
    \"httpPort\": HTTP_PORT" || exit 1

# --- AXFR of the Mesos zone = --print-records ------------------------------
"$TASKDNS" -config "$T/config.json" --print-records 2> /dev/null | sort \
    > "$T/print"
axfr_records "$PORT" mesos > "$T/axfr.mesos"
awk '$4 == "A" || $4 == "AAAA" { print $4, $1, $5 }
    $4 == "SRV" { print $4, $1, $5, $6, $7, $8 }' "$T/axfr.mesos" | sort \
    > "$T/axfr.print"
[ -s "$T/print" ] && cmp -s "$T/print" "$T/axfr.print"
ok $? "AXFR of the Mesos zone holds what --print-records prints ($(wc -l < "$T/print") records)"
serial=$(qs mesos SOA | awk '{ print $3 }')
kdig -p "$PORT" @127.0.0.1 AXFR mesos +timeout=5 +noall +answer 2> /dev/null |
    awk '!/^;/ && NF' > "$T/raw.mesos"
is "$(head -n 1 "$T/raw.mesos" | awk '{ print $4, $7 }') $(tail -n 1 \
    "$T/raw.mesos" | awk '{ print $4, $7 }')" "SOA $serial SOA $serial" \
    "the transfer begins and ends with the SOA a query gets"
is "$(awk '$4 == "NS"' "$T/raw.mesos" | wc -l)" 1 "the apex NS is in it"


# --- a static zone and a reverse zone ----------------------------------------
axfr_records "$PORT" example.internal > "$T/axfr.static"
is "$(grep -c 'IN SOA' "$T/axfr.static")" 1 "static zone: one SOA"
grep -q "^mail.example.internal. [0-9]* IN A 192.0.2.25$" "$T/axfr.static"
ok $? "static zone: its records"
axfr_records "$PORT" 0.10.in-addr.arpa > "$T/axfr.rev"
grep -q "IN PTR " "$T/axfr.rev" && grep -q "IN SOA " "$T/axfr.rev"
ok $? "reverse zone: SOA and PTRs ($(grep -c 'IN PTR' "$T/axfr.rev") PTRs)"

# --- IXFR --------------------------------------------------------------------
cur=$(kdig -p "$PORT" @127.0.0.1 IXFR="$serial" mesos +timeout=5 +noall \
    +answer 2> /dev/null | awk '!/^;/ && NF' | wc -l)
is "$cur" 1 "IXFR from the current serial: the SOA alone"
old=$(kdig -p "$PORT" @127.0.0.1 IXFR=$((serial - 1)) mesos +timeout=5 \
    +noall +answer 2> /dev/null | awk '!/^;/ && NF' | wc -l)
is "$old" "$(wc -l < "$T/raw.mesos")" \
    "IXFR from a serial not held: the whole zone, AXFR-style"
udp=$(kdig -p "$PORT" @127.0.0.1 IXFR=$((serial - 1)) mesos +notcp \
    +timeout=2 +noall +answer 2> /dev/null | awk '!/^;/ && NF')
like "$udp" "IN[[:space:]]+SOA" "IXFR over UDP: the single SOA"

# --- who may transfer ----------------------------------------------------------
refused=$(dig +time=2 +tries=1 -p "$PORT" @127.0.0.1 -b 127.0.0.2 mesos AXFR 2>&1)
like "$refused" 'Transfer failed' "AXFR from outside allowTransfer: refused"
like "$(cat "$LOG")" 'zone transfer: 127.0.0.2 refused \(not in allowTransfer\)' \
    "the refusal is logged, naming the client"
notauth=$(kdig -p "$PORT" @127.0.0.1 AXFR web.marathon.mesos +timeout=2 2>&1)
like "$notauth" 'NOTAUTH' "AXFR of a name that is no apex: NOTAUTH"
m=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
like "$m" 'taskdns_zone_transfers_total\{result="full"\} [1-9]' \
    "/metrics counts the transfers"
like "$m" 'taskdns_zone_transfer_bytes_total [1-9]' "and the bytes sent"
like "$m" 'taskdns_zone_transfer_requests_total\{type="ixfr"\} [1-9]' \
    "and the transfer queries by type"

# --- NSD and Knot as secondaries ---------------------------------------------
mkdir -p "$T/nsd"
cp "$T/zones/example.internal.zone" "$T/nsd/"
start_nsd "zone:
	name: example.internal
	zonefile: example.internal.zone
	provide-xfr: 127.0.0.1 NOKEY
zone:
	name: mesos
	request-xfr: 127.0.0.1@$PORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
	provide-xfr: 127.0.0.1 NOKEY" web.marathon.mesos
start_knot "remote:
  - id: primary
    address: 127.0.0.1@$PORT
acl:
  - id: primary_notify
    address: 127.0.0.1
    action: notify
  - id: local_xfr
    address: 127.0.0.1
    action: transfer
zone:
  - domain: mesos
    master: primary
    acl: [primary_notify, local_xfr]"
# Each has the zone once it answers its SOA with taskdns's serial.
wait_serial $NSD_PORT $serial
ok $? "NSD transferred the zone (serial $serial)"
wait_serial $KNOT_PORT $serial
ok $? "Knot transferred the zone (serial $serial)"
axfr_records "$NSD_PORT" mesos > "$T/nsd.mesos"
axfr_records "$KNOT_PORT" mesos > "$T/knot.mesos"
cmp -s "$T/axfr.mesos" "$T/nsd.mesos"
ok $? "NSD's AXFR equals taskdns's"
cmp -s "$T/axfr.mesos" "$T/knot.mesos"
ok $? "Knot's AXFR equals taskdns's"
axfr_records "$NSD_PORT" example.internal > "$T/nsd.static"
cmp -s "$T/axfr.static" "$T/nsd.static"
ok $? "a static zone: taskdns's AXFR equals NSD's of the same file ($(wc -l < "$T/axfr.static") records)"
is "$(dig +short -p "$NSD_PORT" @127.0.0.1 web.marathon.mesos A | sort | tr '\n' ' ')" \
    "$(qs web.marathon.mesos A | tr '\n' ' ')" "NSD answers a task's name as taskdns does"
like "$(cat "$LOG")" 'zone transfer: 127.0.0.1 transfers mesos\.' \
    "the first transfer from a secondary is logged"

finish_daemon

# --- a restart on a changed state: NOTIFY at start; then a change -------------
# One web task fewer (killed while taskdns was down).
python3 - "$T/state.json" "$T/state2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fw = d["frameworks"][0]
fw["tasks"] = [t for t in fw["tasks"] if t["name"] != "web"][:] + \
    [t for t in fw["tasks"] if t["name"] == "web"][1:]
json.dump(d, open(sys.argv[2], "w"))
PY
cp "$T/state2.json" "$T/state.json"
old_port=$PORT
TASKDNS_PORT=$old_port start_taskdns "\"stateFile\": \"$T/state.json\",
    \"externalOn\": false, \"refreshSeconds\": 1,
    \"serialFile\": \"$T/serial.kept\",
    \"allowTransfer\": [\"127.0.0.1\"],
    \"notify\": [\"127.0.0.1:$NSD_PORT\", \"127.0.0.1:$KNOT_PORT\"],
    \"httpOn\": true, \"httpListener\": \"127.0.0.1\",
    \"httpPort\": HTTP_PORT" || exit 1
serial2=$(qs mesos SOA | awk '{ print $3 }')
[ "$serial2" -gt "$serial" ]
ok $? "restarted on a changed state: the serial went forward ($serial -> $serial2)"
wait_serial $NSD_PORT "$serial2"
ok $? "NSD caught up after the restart (NOTIFY at start)"
wait_serial $KNOT_PORT "$serial2"
ok $? "Knot caught up after the restart"
is "$(dig +short -p "$KNOT_PORT" @127.0.0.1 web.marathon.mesos A | wc -l)" \
    "$(qs web.marathon.mesos A | wc -l)" "Knot serves the web tasks taskdns does"
# A task comes back: each secondary has it within 2 s of taskdns.
cp "$TOP_SRCDIR/conf/demo-state.json" "$T/state.tmp"
mv "$T/state.tmp" "$T/state.json"
i=0
while [ "$(qs mesos SOA | awk '{ print $3 }')" = "$serial2" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
serial3=$(qs mesos SOA | awk '{ print $3 }')
t0=$(date +%s%N)
wait_serial $NSD_PORT "$serial3" && wait_serial $KNOT_PORT "$serial3"
st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$st" = 0 ] && [ "$ms" -le 2000 ]
ok $? "a change: NSD and Knot serve serial $serial3 ${ms} ms after taskdns does"
# That change went by IXFR: the journal held the secondaries' serial.
i=0
while ! grep -q "IXFR, incoming, .*finished" "$T/knot/knot.log" &&
    [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
like "$(grep 'IXFR, incoming' "$T/knot/knot.log" | tail -n 1)" \
    'IXFR, incoming, remote 127\.0\.0\.1@[0-9]+, finished, .* [0-9]+ bytes' \
    "Knot's log: the change came by an incremental transfer"
nsd_bytes=$(sed -n "s/.*received update to serial $serial3 .* of \([0-9]*\) bytes.*/\1/p" \
    "$T/nsd/nsd.log" | tail -n 1)
[ -n "$nsd_bytes" ] && [ "$nsd_bytes" -lt 2000 ]
ok $? "NSD's log: the change took ${nsd_bytes:-?} bytes, not the zone"
m=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
like "$m" 'taskdns_notify_total\{result="answered"\} ([4-9]|[1-9][0-9])' \
    "/metrics: the NOTIFYs (at start, at the change) answered by both"
like "$m" 'taskdns_zone_transfers_total\{result="incremental"\} ([2-9]|[1-9][0-9])' \
    "/metrics: the incremental transfers counted"
# An IXFR from the serial before: the task that came back, alone.
ix=$(kdig -p "$PORT" @127.0.0.1 IXFR="$serial2" mesos +timeout=5 +noall \
    +answer 2> /dev/null | awk '!/^;/ && NF')
is "$(printf '%s\n' "$ix" | awk '$4 == "SOA" { printf "%s ", $7 }')" \
    "$serial3 $serial2 $serial3 $serial3 " \
    "IXFR from the last serial: SOA new, old (deletions), new (additions), new"
like "$(printf '%s\n' "$ix" | awk '$4 == "A"' | head -n 1)" '^web' \
    "holding the web task's records"
stop_taskdns

# --- a serial the journal no longer holds: the whole zone ---------------------
cp "$TOP_SRCDIR/conf/demo-state.json" "$T/state.json"
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"refreshSeconds\": 1, \"ixfrHistory\": 1,
    \"reverseZones\": [\"10.0.0.0/16\"],
    \"zones\": {\"example.internal\": \"zones/example.internal.zone\"},
    \"allowTransfer\": [\"127.0.0.1\"]" || exit 1
wait_new() {
	_i=0
	while [ "$(qs mesos SOA | awk '{ print $3 }')" = "$1" ] &&
	    [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	qs mesos SOA | awk '{ print $3 }'
}
a0=$(qs mesos SOA | awk '{ print $3 }')
cp "$T/state2.json" "$T/state.tmp" && mv "$T/state.tmp" "$T/state.json"
a1=$(wait_new "$a0")
cp "$TOP_SRCDIR/conf/demo-state.json" "$T/state.tmp"
mv "$T/state.tmp" "$T/state.json"
a2=$(wait_new "$a1")
n1=$(kdig -p "$PORT" @127.0.0.1 IXFR="$a1" mesos +timeout=5 +noall +answer \
    2> /dev/null | awk '!/^;/ && NF' | wc -l)
n0=$(kdig -p "$PORT" @127.0.0.1 IXFR="$a0" mesos +timeout=5 +noall +answer \
    2> /dev/null | awk '!/^;/ && NF' | wc -l)
full=$(axfr_records "$PORT" mesos | wc -l)
[ "$n1" -gt 4 ] && [ "$n1" -lt 20 ]
ok $? "ixfrHistory 1: IXFR from the serial before ($a1 -> $a2): $n1 records"
[ "$n0" -ge "$full" ]
ok $? "from two serials back ($a0), out of the journal: the whole zone ($n0 records)"
# A reverse zone and a zone file keep their changes too.
rix=$(kdig -p "$PORT" @127.0.0.1 IXFR="$a1" 0.10.in-addr.arpa +timeout=5 \
    +noall +answer 2> /dev/null | awk '!/^;/ && NF')
rfull=$(axfr_records "$PORT" 0.10.in-addr.arpa | wc -l)
[ "$(printf '%s\n' "$rix" | awk '$4 == "SOA"' | wc -l)" -eq 4 ] &&
    [ "$(printf '%s\n' "$rix" | awk '$4 == "PTR"' | wc -l)" -lt "$rfull" ]
ok $? "reverse zone: IXFR from the serial before, the changed PTRs alone ($(printf '%s\n' "$rix" | awk '$4 == "PTR"' | wc -l) of $rfull records)"
zs=$(dig +short -p "$PORT" @127.0.0.1 example.internal SOA | awk '{ print $3 }')
sed "s/ 2026120401 / $((zs + 1)) /" "$T/zones/example.internal.zone" > "$T/z.tmp"
printf 'added\tIN A\t192.0.2.99\n' >> "$T/z.tmp"
mv "$T/z.tmp" "$T/zones/example.internal.zone"
i=0
while [ "$(dig +short -p "$PORT" @127.0.0.1 example.internal SOA |
    awk '{ print $3 }')" = "$zs" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
zix=$(kdig -p "$PORT" @127.0.0.1 IXFR="$zs" example.internal +timeout=5 \
    +noall +answer 2> /dev/null | awk '!/^;/ && NF')
is "$(printf '%s\n' "$zix" | awk '{ printf "%s %s %s|", $1, $4, $NF }')" \
    "example.internal. SOA 120|example.internal. SOA 120|example.internal. SOA 120|added.example.internal. A 192.0.2.99|example.internal. SOA 120|" \
    "a zone file edited: IXFR holds the record added alone"
like "$(printf '%s\n' "$zix" | sed -n 2p)" " $zs 3600 " \
    "the old SOA with the old serial"
stop_taskdns

# --- a zone of many messages -------------------------------------------------
python3 "$TOP_SRCDIR/contrib/bench/make-state.py" 3000 0 > "$T/big.json"
start_taskdns "\"stateFile\": \"$T/big.json\", \"externalOn\": false,
    \"allowTransfer\": [\"127.0.0.0/8\"]" || exit 1
"$TASKDNS" -config "$T/config.json" --print-records 2> /dev/null | sort \
    > "$T/print.big"
kdig -p "$PORT" @127.0.0.1 AXFR mesos +timeout=10 > "$T/raw.big" 2> /dev/null
msgs=$(sed -n 's/.*Received [0-9]* B (\([0-9]*\) messages.*/\1/p' "$T/raw.big")
awk '!/^;/ && NF { $1 = tolower($1) }
    $4 == "A" || $4 == "AAAA" { print $4, $1, $5 }
    $4 == "SRV" { print $4, $1, $5, $6, $7, $8 }' "$T/raw.big" | sort \
    > "$T/axfr.big"
cmp -s "$T/print.big" "$T/axfr.big"
ok $? "3,000 tasks: AXFR equals --print-records ($(wc -l < "$T/print.big") records)"
[ "${msgs:-0}" -gt 10 ]
ok $? "in many messages ($msgs), each with its length prefix"
stop_taskdns

# --- serialFile: ahead of the clock, a restart still goes forward -------------
ahead=$(($(date +%s) + 100000))
echo "$ahead" > "$T/serial"
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"serialFile\": \"$T/serial\"" || exit 1
s1=$(qs mesos SOA | awk '{ print $3 }')
[ "$s1" -gt "$ahead" ] && [ "$s1" -lt $((ahead + 10)) ]
ok $? "serialFile: the first serial is past the one saved, ahead of the clock ($ahead -> $s1)"
is "$(cat "$T/serial")" "$s1" "and is saved in its turn"
stop_taskdns
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false,
    \"serialFile\": \"$T/serial\"" || exit 1
s2=$(qs mesos SOA | awk '{ print $3 }')
[ "$s2" -gt "$s1" ]
ok $? "restarted: forward again, though the clock is behind ($s1 -> $s2)"
stop_taskdns

# --- the example configs of contrib/secondaries ------------------------------
nsd-checkconf "$TOP_SRCDIR/contrib/secondaries/nsd.conf" > "$T/cc" 2>&1
ok $? "contrib/secondaries/nsd.conf: nsd-checkconf accepts it"
knotc -c "$TOP_SRCDIR/contrib/secondaries/knot.conf" conf-check > "$T/cc" 2>&1
ok $? "contrib/secondaries/knot.conf: knotc conf-check accepts it"
key() {
	sed -n 's/.*secret: *"*\([A-Za-z0-9+\/=]*\)"*$/\1/p' "$1" | head -n 1
}
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["tsigKeys"]["taskdns-xfr"]["secret"])' \
    "$TOP_SRCDIR/contrib/secondaries/taskdns-primary.json" > "$T/k.td"
[ "$(key "$TOP_SRCDIR/contrib/secondaries/nsd.conf")" = "$(cat "$T/k.td")" ] &&
    [ "$(key "$TOP_SRCDIR/contrib/secondaries/knot.conf")" = "$(cat "$T/k.td")" ]
ok $? "the three name the same key (taskdns-xfr, one secret)"

# --- nobody by default ---------------------------------------------------------
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false" || exit 1
like "$(dig +time=2 +tries=1 -p "$PORT" @127.0.0.1 mesos AXFR 2>&1)" \
    'Transfer failed' "no allowTransfer: AXFR refused, from loopback too"
stop_taskdns
done_testing
