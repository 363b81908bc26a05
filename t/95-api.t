#!/bin/sh
# 95-api.t - the HTTP API (issue 5): mesos-dns's /v1 endpoints and shapes,
# /metrics checked by promtool, /healthz following the fake master, 404,
# 405, an oversized request, and DNS unaffected by a stalled HTTP client.
. "$(dirname "$0")/lib.sh"
plan 49
watchdog 120

need curl jq promtool

STATE="\"stateFile\": \"$TOP_SRCDIR/conf/demo-state.json\""
start_taskdns "$STATE, \"httpListener\": \"127.0.0.1\", \"httpPort\": HTTP_PORT,
    \"resolvers\": [\"127.0.0.1:1\"], \"timeout\": 1" || exit 1
H=http://127.0.0.1:$HTTP_PORT
get() { curl -s -m 5 "$H$1"; }
code() { curl -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }
# wait_code URL CODE: until URL answers CODE (6 s at most).
wait_code() {
	_i=0
	while [ "$_i" -lt 60 ] && [ "$(code "$1")" != "$2" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# --- mesos-dns's endpoints ---------------------------------------------------
r=$(get /v1/version)
is "$(echo "$r" | jq -r '.Service')" "taskdns" "/v1/version: Service"
like "$(echo "$r" | jq -r '.Version')" '^[0-9]+\.[0-9]+\.[0-9]+$' \
    "/v1/version: Version"
is "$(echo "$r" | jq -r 'keys | join(",")')" "Service,URL,Version" \
    "/v1/version: mesos-dns's three keys"

r=$(get /v1/config)
is "$(echo "$r" | jq -r '.Domain')" "mesos" "/v1/config: Domain"
is "$(echo "$r" | jq -r '.Port')" "$PORT" "/v1/config: Port is the effective one"
is "$(echo "$r" | jq -r '.SOAMname')" "ns1.mesos." \
    "/v1/config: SOAMname with its dot, as mesos-dns"
is "$(echo "$r" | jq -r '.HttpPort')" "$HTTP_PORT" "/v1/config: HttpPort"
is "$(echo "$r" | jq -r '[.DnsOn, .HttpOn, .ExternalOn] | join(",")')" \
    "true,true,true" "/v1/config: DnsOn, HttpOn, ExternalOn"

r=$(get /v1/hosts/web.marathon.mesos)
is "$(echo "$r" | jq -r 'map(.ip) | sort | join(" ")')" \
    "$(qs web.marathon.mesos A | tr '\n' ' ' | sed 's/ $//')" \
    "/v1/hosts: the A records DNS gives"
is "$(echo "$r" | jq -r 'map(.host) | unique | join(" ")')" \
    "web.marathon.mesos." "/v1/hosts: host with a trailing dot"
is "$(echo "$r" | jq -c '.[0] | keys')" '["host","ip"]' \
    "/v1/hosts: entries of host and ip"
r=$(get /v1/hosts/ipv6-app.marathon.mesos)
like "$(echo "$r" | jq -r 'map(.ip) | join(" ")')" "fd00:c0de::10" \
    "/v1/hosts: AAAA records too"
is "$(get /v1/hosts/Web.Marathon.Mesos. | jq length)" "6" \
    "/v1/hosts: any case, trailing dot optional"
is "$(get /v1/hosts/nosuch.mesos)" '[{"host":"","ip":""}]' \
    "/v1/hosts: a miss is one empty entry, as mesos-dns"
is "$(code "$H/v1/hosts/nosuch.mesos")" "200" "(with status 200)"

r=$(get /v1/services/_web._tcp.marathon.mesos)
is "$(echo "$r" | jq -r 'map(.port) | unique | join(" ")')" "8080 8443" \
    "/v1/services: the SRV ports"
is "$(echo "$r" | jq -r 'map(.service) | unique | join(" ")')" \
    "_web._tcp.marathon.mesos" "/v1/services: service as asked"
ok "$(echo "$r" | jq -e 'all(.[]; .ip != "" and (.host | endswith(".marathon.mesos.")))' > /dev/null; echo $?)" \
    "/v1/services: each host is a task name with its IP"
is "$(get /v1/services/_nosuch._tcp.marathon.mesos)" \
    '[{"service":"","host":"","ip":"","port":""}]' \
    "/v1/services: a miss is one empty entry"

# /v1/axfr holds exactly the records DNS serves (--print-records).
get /v1/axfr > "$T/axfr.json"
"$TASKDNS" -config "$T/config.json" --print-records 2> /dev/null |
    sort > "$T/records"
jq -r '.Records.As | to_entries[] | .key as $k | .value[] | "A \($k) \(.)"' \
    "$T/axfr.json" > "$T/from-axfr"
jq -r '.Records.AAAAs | to_entries[] | .key as $k | .value[] | "AAAA \($k) \(.)"' \
    "$T/axfr.json" >> "$T/from-axfr"
jq -r '.Records.SRVs | to_entries[] | .key as $k | .value[] | "SRV \($k) 0 1 \(. | split(":")[1]) \(. | split(":")[0])"' \
    "$T/axfr.json" >> "$T/from-axfr"
sort "$T/from-axfr" > "$T/from-axfr.sorted"
is "$(diff "$T/records" "$T/from-axfr.sorted" | head -n 5)" "" \
    "/v1/axfr: every record, A, AAAA and SRV, as --print-records ($(wc -l < "$T/records"))"
is "$(jq -r '[.TTL, .Domain, .Mname, .Rname] | join(" ")' "$T/axfr.json")" \
    "60 mesos ns1.mesos. root.ns1.mesos." "/v1/axfr: mesos-dns's header fields"

# The shapes of mesos-dns's own /v1/axfr answer (captured from a cluster).
MDNS_AXFR=$SHARED/fixtures/operator-api/mesosdns-axfr.json
SHAPE='def shape: if type == "object" then
    (if (keys | length) > 0 and (keys[0] | test("[.]$"))
     then {"<name>": ([.[]] | map(shape) | unique)}
     else with_entries(.value |= shape) end)
  elif type == "array" then (map(shape) | unique) else type end; shape'
if [ -f "$MDNS_AXFR" ]; then
	is "$(jq -cS "$SHAPE" "$T/axfr.json")" "$(jq -cS "$SHAPE" "$MDNS_AXFR")" \
	    "/v1/axfr: the same shape as mesos-dns's captured answer"
	is "$(jq -r '.Records.SRVs[][]' "$T/axfr.json" "$MDNS_AXFR" |
	    grep -Evc '^[a-z0-9._-]+[.]:[0-9]+$')" "0" \
	    "/v1/axfr: SRV values \"target.:port\" in both"
else
	skip "../shared/fixtures is absent (set TASKDNS_SHARED): no captured mesos-dns /v1/axfr to compare shapes with"
	skip "(the same)"
fi

# /v1/enumerate: mesos-dns's EnumerationData.
get /v1/enumerate > "$T/enum.json"
is "$(jq -r '[.frameworks[].name] | join(" ")' "$T/enum.json")" \
    "marathon chronos kafka" "/v1/enumerate: every framework, in state order"
is "$(jq -c '[.frameworks[0] | keys_unsorted, (.tasks[0] | keys_unsorted),
    (.tasks[0].records[0] | keys_unsorted)]' "$T/enum.json")" \
    '[["tasks","name"],["name","id","records"],["name","host","rtype"]]' \
    "/v1/enumerate: mesos-dns's keys, in its order"
is "$(jq -c '.frameworks[0].tasks[0] | [.name, .id, .records[0]]' "$T/enum.json")" \
    '["web","web.00abc001-1111-4111-8111-000000000001",{"name":"web.marathon.mesos.","host":"172.17.0.10","rtype":"A"}]' \
    "/v1/enumerate: a task's name, id and first record"
is "$(jq -r '.frameworks[0].tasks | map(.records | length) | join(" ")' "$T/enum.json")" \
    "12 12 12 12 12 11 8 8 8 8 8 8 8 8 8 8 8 8 8" \
    "/v1/enumerate: a record only under the task that added it first"
jq -r '.frameworks[].tasks[].records[] |
    if .rtype == "SRV" then "SRV \(.name) 0 1 \(.host | split(":")[1]) \(.host | split(":")[0])"
    else "\(.rtype) \(.name) \(.host)" end' "$T/enum.json" | sort > "$T/from-enum"
is "$(comm -23 "$T/from-enum" "$T/records" | head -n 3)" "" \
    "/v1/enumerate: every record is one DNS serves ($(wc -l < "$T/from-enum"))"
is "$(uniq -d "$T/from-enum" | head -n 3)" "" \
    "/v1/enumerate: no record under two tasks"
is "$(grep -c '^SRV _web._tcp.marathon.mesos. ' "$T/from-enum")" \
    "$(grep -c '^SRV _web._tcp.marathon.mesos. ' "$T/records")" \
    "/v1/enumerate: the tasks' SRV records are all there"

# --- errors ------------------------------------------------------------------
is "$(code "$H/nope")" "404" "unknown path: 404"
is "$(code -X POST "$H/v1/version")" "405" "POST: 405"
like "$(curl -s -m 5 -D - -o /dev/null -X DELETE "$H/metrics")" "Allow: GET" \
    "405 says what is allowed"
long=$(python3 -c 'print("x" * 10000)')
c=$(code "$H/v1/hosts/$long")
like "$c" "^(4[0-9][0-9]|000)$" "a 10 kB request line is refused ($c)"
# A client that sends half a request and stalls holds no DNS answer up.
python3 - "$HTTP_PORT" > /dev/null 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /v1/version HTTP/1.1\r\nHost: x\r\n")
time.sleep(4)
PY
STALL=$!
sleep 0.3
is "$(qs leader.mesos A)" "127.0.0.1" "DNS answers while an HTTP client stalls"
is "$(code "$H/healthz")" "200" "and so does HTTP"
kill "$STALL" 2> /dev/null

# --- /metrics ----------------------------------------------------------------
q nosuch.marathon.mesos A > /dev/null
q x.example.org A > /dev/null
q web.marathon.mesos A +tcp > /dev/null
get /metrics > "$T/metrics"
promtool check metrics < "$T/metrics" > "$T/promtool" 2>&1
is "$?" "0" "promtool check metrics accepts /metrics"
sed 's/^/# promtool: /' "$T/promtool" | head -n 5
m() { awk -v k="$1" '$1 == k {print $2}' "$T/metrics"; }
ok "$([ "$(m 'taskdns_dns_queries_total{transport="tcp"}')" -ge 1 ]; echo $?)" \
    "metrics: TCP queries counted"
ok "$([ "$(m 'taskdns_dns_responses_total{rcode="NXDOMAIN"}')" -ge 1 ]; echo $?)" \
    "metrics: NXDOMAIN counted"
is "$(m 'taskdns_forward_servfail_total{reason="upstreams_failed"}')" "1" \
    "metrics: the failed forward counted"
is "$(m taskdns_table_records)" "$(wc -l < "$T/records")" \
    "metrics: records in the table"
tb=$(m taskdns_table_bytes)
ok "$([ "${tb:-0}" -gt "$(( $(wc -l < "$T/records") * 8 ))" ] &&
    [ "$tb" -lt 10000000 ]; echo $?)" \
    "metrics: the table's memory, more than its records and under 10 MB ($tb)"
finish_daemon

# --- /healthz follows the master -----------------------------------------------
FMP=$(start_fm "$TOP_SRCDIR/conf/demo-state.json")
start_taskdns "\"masters\": [\"127.0.0.1:$FMP\"], \"refreshSeconds\": 1,
    \"httpListener\": \"127.0.0.1\", \"httpPort\": HTTP_PORT,
    \"healthStaleSeconds\": 2, \"stateTimeoutSeconds\": 1" || exit 1
H=http://127.0.0.1:$HTTP_PORT
wait_answer leader.mesos A 127.0.0.1 10 > /dev/null
is "$(code "$H/healthz")" "200" "/healthz: 200 while the master answers"
fm "$FMP" "mode=503"
wait_code "$H/healthz" 503
r=$(curl -s -m 5 "$H/healthz")
like "$r" "unhealthy: the records are [0-9]+ s old" \
    "/healthz: 503 with the reason when the master is gone"
fm "$FMP" "mode=leader"
wait_code "$H/healthz" 200
is "$(code "$H/healthz")" "200" "/healthz: 200 again when it returns"
finish_daemon
done_testing
