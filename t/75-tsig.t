#!/bin/sh
# 75-tsig.t - TSIG (RFC 8945, issue 18): with transferKey, only transfers
# signed with that key, every message of them signed; signed queries
# answered signed; BADKEY, BADSIG and BADTIME as the RFC has them (checked
# with kdig and with a second HMAC implementation, t/tsigq.py); NSD and
# Knot transfer with the key and take signed NOTIFYs.
. "$(dirname "$0")/lib.sh"
plan 33
watchdog 200

need nsd knotd kdig dig python3

KEY=$(head -c 32 /dev/urandom | base64)
OTHER=$(head -c 64 /dev/urandom | base64 | tr -d '\n')
WRONG=$(head -c 32 /dev/urandom | base64)
python3 "$TOP_SRCDIR/contrib/bench/make-state.py" 3000 0 > "$T/state.json"
keys="\"tsigKeys\": {
      \"xfr-key\": {\"algorithm\": \"hmac-sha256\", \"secret\": \"$KEY\"},
      \"other.key.\": {\"algorithm\": \"hmac-sha512\", \"secret\": \"$OTHER\"}},
    \"transferKey\": \"xfr-key\""

# --- the config: keys checked when read -------------------------------------
cat > "$T/bad.json" <<EOF
{"stateFile": "$T/state.json",
 "tsigKeys": {"k1": {"algorithm": "hmac-md5", "secret": "!!!"}},
 "transferKey": "nokey"}
EOF
r=$("$TASKDNS" -config "$T/bad.json" --check-config 2>&1)
st=$?
r=$(printf '%s' "$r" | tr '\n' ' ')
[ $st -ne 0 ]
ok $? "a bad key: --check-config fails"
like "$r" 'tsigKeys.k1: algorithm not hmac-sha1.*tsigKeys.k1: the secret is not base64.*transferKey: "nokey" is not a key of tsigKeys' \
    "naming the key, the algorithm, the secret and transferKey"

# allowTransfer empty and transferKey set: any address holding the key.
start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": true,
    \"serialFile\": \"$T/serial.kept\",
    \"resolvers\": [\"127.0.0.1:$(free_port)\"], \"timeout\": 5, $keys,
    \"httpOn\": true, \"httpListener\": \"127.0.0.1\",
    \"httpPort\": HTTP_PORT" || exit 1
like "$(curl -s "http://127.0.0.1:$HTTP_PORT/v1/config")" \
    '"secret": *"<redacted>"' "/v1/config shows the secrets redacted"
unlike "$(curl -s "http://127.0.0.1:$HTTP_PORT/v1/config")" "$KEY" \
    "and never the secret itself"

# --- transfers ---------------------------------------------------------------
"$TASKDNS" -config "$T/config.json" --print-records 2> /dev/null | sort \
    > "$T/print"
kdig -p "$PORT" @127.0.0.1 -y "hmac-sha256:xfr-key:$KEY" AXFR mesos \
    +timeout=10 > "$T/raw" 2> "$T/raw.err"
msgs=$(sed -n 's/.*Received [0-9]* B (\([0-9]*\) messages.*/\1/p' "$T/raw")
awk '!/^;/ && NF { $1 = tolower($1) }
    $4 == "A" || $4 == "AAAA" { print $4, $1, $5 }
    $4 == "SRV" { print $4, $1, $5, $6, $7, $8 }' "$T/raw" | sort > "$T/axfr"
[ -s "$T/print" ] && cmp -s "$T/print" "$T/axfr"
ok $? "AXFR signed with transferKey: the zone ($(wc -l < "$T/print") records, ${msgs:-0} messages)"
[ "${msgs:-0}" -gt 10 ] && ! grep -qi 'tsig\|warn' "$T/raw.err"
ok $? "kdig verified the TSIG of every message"
r=$(dig +time=2 +tries=1 -p "$PORT" @127.0.0.1 -b 127.0.0.3 mesos AXFR 2>&1)
like "$r" 'Transfer failed' "an unsigned AXFR: refused"
like "$(cat "$LOG")" 'zone transfer: 127.0.0.3 refused \(not signed with transferKey\)' \
    "and logged as such"
r=$(kdig -p "$PORT" @127.0.0.1 -y "hmac-sha512:other.key:$OTHER" AXFR mesos \
    +timeout=5 2>&1)
like "$r" "REFUSED" "an AXFR signed with another key of ours: refused"
unlike "$r" "WARNING" "the refusal signed with that key"

# --- queries -------------------------------------------------------------------
r=$(kdig -p "$PORT" @127.0.0.1 -y "hmac-sha256:xfr-key:$KEY" mesos SOA 2>&1)
like "$r" 'status: NOERROR' "a signed query: answered"
like "$r" 'xfr-key\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG' "signed"
unlike "$r" 'WARNING' "and kdig verified it"
r=$(python3 "$TOP_SRCDIR/t/tsigq.py" "$PORT" mesos SOA xfr-key "$KEY")
like "$r" 'rcode=0.*tsig_error=0.*verified=1' \
    "a second HMAC implementation verifies the answer too"
r=$(python3 "$TOP_SRCDIR/t/tsigq.py" "$PORT" mesos SOA xfr-key "$WRONG")
like "$r" 'rcode=9.*tsig_error=16.*other_len=0' \
    "a wrong secret: NOTAUTH, BADSIG, unsigned"
r=$(python3 "$TOP_SRCDIR/t/tsigq.py" "$PORT" mesos SOA no-such-key "$KEY")
like "$r" 'rcode=9.*tsig_error=17' "a key we do not hold: NOTAUTH, BADKEY"
now=$(date +%s)
r=$(python3 "$TOP_SRCDIR/t/tsigq.py" "$PORT" mesos SOA xfr-key "$KEY" \
    --skew -1000)
like "$r" 'rcode=9.*tsig_error=18.*other_len=6.*verified=1' \
    "signed 1000 s ago: NOTAUTH, BADTIME, signed"
srv=$(printf '%s\n' "$r" | sed -n 's/.*server_time=\([0-9]*\).*/\1/p')
[ -n "$srv" ] && [ $((srv - now)) -ge -5 ] && [ $((srv - now)) -le 5 ]
ok $? "with our clock in Other Data ($srv, $now here)"
r=$(python3 "$TOP_SRCDIR/t/tsigq.py" "$PORT" mesos SOA xfr-key "$KEY" \
    --skew -400 --fudge 600)
like "$r" 'rcode=0.*tsig_error=0.*verified=1' \
    "signed 400 s ago with a fudge of 600: within it, answered"
r=$(kdig -p "$PORT" @127.0.0.1 -y "hmac-sha256:xfr-key:$KEY" +notcp +noedns \
    slave.mesos A 2>&1)
like "$r" 'Flags: qr aa tc.*ANSWER: 0' \
    "a signed answer too big for 512 octets: the question alone, TC"
unlike "$r" 'WARNING' "signed all the same"
t0=$(date +%s)
r=$(kdig -p "$PORT" @127.0.0.1 -y "hmac-sha256:xfr-key:$KEY" example.com A \
    +timeout=4 +retry=0 2>&1)
like "$r" 'status: REFUSED' \
    "a signed query for a name not ours: REFUSED, not forwarded unsigned"
[ $(($(date +%s) - t0)) -le 2 ] && ! printf '%s' "$r" | grep -q WARNING
ok $? "at once, and signed"

# --- NSD and Knot, secondaries with the key ---------------------------------------
serial=$(qs mesos SOA | awk '{ print $3 }')
mkdir -p "$T/nsd"
start_nsd "key:
	name: xfr-key
	algorithm: hmac-sha256
	secret: \"$KEY\"
zone:
	name: mesos
	request-xfr: 127.0.0.1@$PORT xfr-key
	allow-notify: 127.0.0.1 xfr-key
	provide-xfr: 127.0.0.1 NOKEY" slave.mesos
start_knot "key:
  - id: xfr-key
    algorithm: hmac-sha256
    secret: $KEY
remote:
  - id: primary
    address: 127.0.0.1@$PORT
    key: xfr-key
acl:
  - id: primary_notify
    address: 127.0.0.1
    key: xfr-key
    action: notify
  - id: local_xfr
    address: 127.0.0.1
    action: transfer
zone:
  - domain: mesos
    master: primary
    acl: [primary_notify, local_xfr]"
wait_serial "$NSD_PORT" "$serial"
ok $? "NSD transferred the zone with the key (serial $serial)"
wait_serial "$KNOT_PORT" "$serial"
ok $? "Knot transferred the zone with the key"
axfr_records "$PORT" mesos -y "hmac-sha256:xfr-key:$KEY" > "$T/axfr.td"
axfr_records "$NSD_PORT" mesos > "$T/axfr.nsd"
axfr_records "$KNOT_PORT" mesos > "$T/axfr.knot"
[ -s "$T/axfr.td" ] && cmp -s "$T/axfr.td" "$T/axfr.nsd" &&
    cmp -s "$T/axfr.td" "$T/axfr.knot"
ok $? "NSD's AXFR and Knot's equal taskdns's ($(wc -l < "$T/axfr.td") records)"
stop_taskdns

# A restart on a changed state, NOTIFY signed: both follow.
python3 "$TOP_SRCDIR/contrib/bench/make-state.py" 2990 0 > "$T/state.json"
TASKDNS_PORT=$PORT start_taskdns "\"stateFile\": \"$T/state.json\", \"externalOn\": false, $keys,
    \"serialFile\": \"$T/serial.kept\",
    \"notify\": [\"127.0.0.1:$NSD_PORT\", \"127.0.0.1:$KNOT_PORT\"],
    \"httpOn\": true, \"httpListener\": \"127.0.0.1\",
    \"httpPort\": HTTP_PORT" || exit 1
serial2=$(qs mesos SOA | awk '{ print $3 }')
[ "$serial2" -gt "$serial" ] && wait_serial "$NSD_PORT" "$serial2"
ok $? "a signed NOTIFY: NSD took the new serial ($serial -> $serial2)"
wait_serial "$KNOT_PORT" "$serial2"
ok $? "Knot too"
m=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
like "$m" 'taskdns_tsig_queries_total\{result="good"\} [1-9]' \
    "/metrics counts the signed queries"
had=$(dig +short -p "$KNOT_PORT" @127.0.0.1 slave.mesos A | wc -l)
stop_taskdns

# The key changes on our side only: the secondaries' requests fail, and
# they keep serving the zone they have.
python3 "$TOP_SRCDIR/contrib/bench/make-state.py" 2980 0 > "$T/state.json"
TASKDNS_PORT=$PORT start_taskdns "\"stateFile\": \"$T/state.json\",
    \"serialFile\": \"$T/serial.kept\",
    \"externalOn\": false, \"tsigKeys\": {\"xfr-key\":
    {\"algorithm\": \"hmac-sha256\", \"secret\": \"$WRONG\"}},
    \"transferKey\": \"xfr-key\",
    \"notify\": [\"127.0.0.1:$NSD_PORT\", \"127.0.0.1:$KNOT_PORT\"]" || exit 1
serial3=$(qs mesos SOA | awk '{ print $3 }')
knotc -c "$T/knot/knot.conf" zone-refresh mesos > /dev/null 2>&1
wait_log 'TSIG: query from 127\.0\.0\.1 with key xfr-key\.: BADSIG' 5
ok $? "a secondary with the old secret: BADSIG, logged"
like "$(cat "$LOG")" "NOTIFY of $serial3 to 127\.0\.0\.1:$NSD_PORT: rcode 9" \
    "the secondaries' NOTAUTH to our NOTIFY (signed with the new secret) logged"
sleep 1
is "$(dig +short -p "$NSD_PORT" @127.0.0.1 mesos SOA | awk '{ print $3 }') $(dig +short -p "$KNOT_PORT" @127.0.0.1 mesos SOA | awk '{ print $3 }')" \
    "$serial2 $serial2" \
    "NSD and Knot keep the zone they had (serial $serial2, not $serial3)"
is "$(dig +short -p "$KNOT_PORT" @127.0.0.1 slave.mesos A | wc -l)" "$had" \
    "and serve its records"
stop_taskdns
done_testing
