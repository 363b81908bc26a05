#!/bin/sh
# How taskdns talks to masters: basic authentication (the secret never in
# a log), its User-Agent, a serial that moves only with the records, and
# HTTPS with and without a CA, and with a client certificate.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
plan 17
watchdog 90
DEMO=$TOP_SRCDIR/conf/demo-state.json
SECRET=s3cret-Value-42
A=$(start_fm "$DEMO")
fm "$A" "auth=$(printf 'ops:%s' "$SECRET" | base64)"
start_taskdns "\"masters\": [\"127.0.0.1:$A\"], \"refreshSeconds\": 1, \"mesosAuthentication\": \"basic\", \"mesosCredentials\": {\"principal\": \"ops\", \"secret\": \"$SECRET\"}" || exit 1
wait_log 'generation serial .* from http' 5
ok $? "basic authentication: the state is fetched"
like "$(curl -s "http://127.0.0.1:$A/control/ua")" '^taskdns/[0-9]+\.[0-9]+\.[0-9]+$' "User-Agent: taskdns/VERSION"

# The serial: the same records over several refreshes keep it.
s1=$(qs mesos SOA | awk '{print $3}')
h=$(curl -s "http://127.0.0.1:$A/control/hits")
i=0
while [ "$(curl -s "http://127.0.0.1:$A/control/hits")" -lt $((h + 2)) ] && [ $i -lt 60 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 0.2
is "$(qs mesos SOA | awk '{print $3}')" "$s1" "two refreshes of the same state keep the SOA serial"
demo_plus "$T/more.json" web more
fm "$A" "state=$T/more.json"
wait_answer more.marathon.mesos A 172.17.0.10 3 > /dev/null
s2=$(qs mesos SOA | awk '{print $3}')
ok $([ "$s2" -gt "$s1" ] && echo 0 || echo 1) "a changed record set raises the serial ($s1 -> $s2)"
finish_daemon
unlike "$(cat "$LOG")" "$SECRET" "the secret is in no log line"

start_taskdns "\"masters\": [\"127.0.0.1:$A\"], \"refreshSeconds\": 1, \"mesosAuthentication\": \"basic\", \"mesosCredentials\": {\"principal\": \"ops\", \"secret\": \"wrong-$SECRET\"}" -v || exit 1
wait_log 'state fetch failed' 5
like "$(cat "$LOG")" 'state fetch failed \(http status\): 127\.0\.0\.1:[0-9]+: HTTP 401' "a wrong secret: HTTP 401, logged"
unlike "$(cat "$LOG")" "$SECRET" "... without the secret, even at debug level"
stop_taskdns

# HTTPS: a self-signed certificate for 127.0.0.1.
for n in srv other; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$n.key" -out "$T/$n.pem" \
	    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    > /dev/null 2>&1
done
tls_master() {
	rm -f "$T/tls.port"
	python3 "$TOP_SRCDIR/t/tls_master.py" "$T/tls.port" "$DEMO" "$T/srv.pem" "$T/srv.key" "$@" > /dev/null 2>> "$T/tls.log" &
	echo "$!" >> "$T/helper.pids"
	i=0; while [ ! -s "$T/tls.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	cat "$T/tls.port"
}
S=$(tls_master)
start_taskdns "\"masters\": [\"127.0.0.1:$S\"], \"mesosHTTPSOn\": true" || exit 1
wait_log "generation serial .* from https://127.0.0.1:$S/" 5
ok $? "HTTPS without a CA file: fetched without verification, as mesos-dns"
stop_taskdns
start_taskdns "\"masters\": [\"127.0.0.1:$S\"], \"mesosHTTPSOn\": true, \"CACertFile\": \"$T/srv.pem\"" || exit 1
wait_log "generation serial .* from https://127.0.0.1:$S/" 5
ok $? "HTTPS verified against CACertFile"
stop_taskdns
start_taskdns "\"masters\": [\"127.0.0.1:$S\"], \"mesosHTTPSOn\": true, \"CACertFile\": \"$T/other.pem\"" || exit 1
wait_log 'state fetch failed' 5
like "$(cat "$LOG")" 'state fetch failed \(tls\)' "a certificate the CA did not sign: refused, logged as tls"
like "$(q web.marathon.mesos A)" 'status: SERVFAIL' "... and nothing is served from it"
stop_taskdns
S=$(tls_master "$T/other.pem")
start_taskdns "\"masters\": [\"127.0.0.1:$S\"], \"mesosHTTPSOn\": true, \"CACertFile\": \"$T/srv.pem\", \"certFile\": \"$T/other.pem\", \"keyFile\": \"$T/other.key\"" || exit 1
wait_log "generation serial .* from https://127.0.0.1:$S/" 5
ok $? "a master that requires a client certificate accepts certFile/keyFile"
is "$(qs web.marathon.mesos A | wc -l | tr -d ' ')" "6" "records served from the HTTPS master"
finish_daemon
done_testing
