# lib.sh - TAP helpers for the integration tests: a plan, assertions, and
# starting and stopping the real daemon on 127.0.0.1 on a free port.
# POSIX sh.  Every test sources this and calls plan first.

set -u
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
TASKDNS=$TOP_BUILDDIR/src/taskdns
DNSQ="python3 $TOP_SRCDIR/t/dnsq.py"
SHARED=${TASKDNS_SHARED:-$TOP_SRCDIR/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-test.XXXXXX")
_n=0
_failed=0
PID=
PORT=

FM_PIDS=

# Helpers started inside $(...) record their pids in $T/helper.pids: a
# subshell's FM_PIDS would not reach cleanup.
cleanup() {
	for _p in $FM_PIDS $(cat "$T/helper.pids" 2>/dev/null); do
		kill "$_p" 2>/dev/null
	done
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	for _ns in $(cat "$T/netns" 2>/dev/null); do
		# Whatever still runs inside goes with it.
		for _p in $(ip netns pids "$_ns" 2>/dev/null); do
			kill -KILL "$_p" 2>/dev/null
		done
		ip netns del "$_ns" 2>/dev/null
	done
	[ -n "${TASKDNS_KEEP:-}" ] && cp "$T/taskdns.log" "$TASKDNS_KEEP" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

plan() { echo "1..$1"; }

# netns_pair: two network namespaces of this test's own joined by a veth
# pair, in documentation ranges: $SRV_NS holds 192.0.2.1 and 192.0.2.2
# and 2001:db8::1 and 2001:db8::2 on one interface (a host with a second
# address), $CLI_NS holds 192.0.2.10 and 2001:db8::10.  Loopback is up in
# both.  Removed at exit, with anything left running in them.
netns_pair() {
	SRV_NS=taskdns-$$-srv
	CLI_NS=taskdns-$$-cli
	for _ns in "$SRV_NS" "$CLI_NS"; do
		ip netns add "$_ns" || return 1
		echo "$_ns" >> "$T/netns"
		ip -n "$_ns" link set lo up
	done
	ip link add "td$$s" type veth peer name "td$$c" || return 1
	ip link set "td$$s" netns "$SRV_NS"
	ip link set "td$$c" netns "$CLI_NS"
	for _a in 192.0.2.1/24 192.0.2.2/24; do
		ip -n "$SRV_NS" addr add "$_a" dev "td$$s"
	done
	for _a in 2001:db8::1/64 2001:db8::2/64; do
		ip -n "$SRV_NS" addr add "$_a" dev "td$$s" nodad
	done
	ip -n "$CLI_NS" addr add 192.0.2.10/24 dev "td$$c"
	ip -n "$CLI_NS" addr add 2001:db8::10/64 dev "td$$c" nodad
	ip -n "$SRV_NS" link set "td$$s" up
	ip -n "$CLI_NS" link set "td$$c" up
}

# in_ns NS RESOLV_CONF COMMAND...: run COMMAND in network namespace NS
# with RESOLV_CONF (a file) mounted over /etc/resolv.conf, for it alone.
in_ns() {
	_ns=$1
	_rc=$2
	shift 2
	ip netns exec "$_ns" unshare -m sh -c \
	    'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$_rc" "$@"
}

# pin_names HOSTS_LINES: run this test again in a mount namespace of its
# own, where /etc/hosts holds HOSTS_LINES alone and /etc/nsswitch.conf
# looks host names up there and nowhere else, so what a name resolves to
# is the test's and not the machine's (its /etc/hosts, its DNS).  Call it
# first, before watchdog.  Where the machine has no /etc/hosts to mount
# over, the namespace gets a copy of /etc with the two files in it.
pin_names() {
	[ -n "${TASKDNS_PINNED:-}" ] && return 0
	[ -n "${TASKDNS_KEEP:-}" ] && cp "$T/taskdns.log" "$TASKDNS_KEEP" 2>/dev/null
	rm -rf "$T"
	trap - EXIT
	exec unshare -m sh -c '
		d=$(mktemp -d "${TMPDIR:-/tmp}/taskdns-pin.XXXXXX") || exit 1
		printf "%s\n" "$1" > "$d/hosts"
		printf "hosts: files\n" > "$d/nsswitch.conf"
		if [ -f /etc/hosts ] && [ -f /etc/nsswitch.conf ]; then
			mount --bind "$d/hosts" /etc/hosts &&
			    mount --bind "$d/nsswitch.conf" /etc/nsswitch.conf
		else
			cp -a /etc "$d/etc" &&
			    cp "$d/hosts" "$d/nsswitch.conf" "$d/etc/" &&
			    mount --bind "$d/etc" /etc
		fi || { echo "Bail out! cannot pin /etc/hosts"; exit 1; }
		TASKDNS_PINNED=$d
		export TASKDNS_PINNED
		sh "$2"
		r=$?
		rm -rf "$d"
		exit $r' sh "$1" "$0"
}

# need TOOL...: bail out when one is missing (contrib/quickstart.sh test
# installs them all).
need() {
	for _tool in "$@"; do
		command -v "$_tool" > /dev/null || {
			echo "Bail out! $_tool is not installed (contrib/quickstart.sh test installs it)"
			exit 1
		}
	done
}

# A random port in 20000-60000 (callers retry when it turns out taken).
# free_port: a port free for both TCP and UDP on 127.0.0.1 when asked,
# below the kernel's ephemeral range (32768 up), so that no outgoing
# socket (dig, curl, c-ares, dnsperf) takes it before the test binds it.
free_port() {
	python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    try:
        for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, t)
            s.bind(("127.0.0.1", p))
            s.close()
    except OSError:
        continue
    print(p)
    break
'
}

# wait_file FILE SECONDS: until FILE is not empty (polling, bounded).
wait_file() {
	_i=0
	while [ ! -s "$1" ] && [ "$_i" -lt $(($2 * 20)) ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

# A whole-test watchdog: past $1 seconds the test is killed (and fails).
# It must not hold the test's stdout open, or the TAP driver would wait for
# it to end.  It checks once a second that the test is still there (its
# $T, which cleanup removes, and its PID), so it ends within a second of
# the test however the test ends, and never signals a PID that another
# process may have taken since.
watchdog() {
	( _w=0
	  while [ "$_w" -lt "$1" ]; do
		sleep 1
		[ -d "$T" ] && kill -0 $$ 2> /dev/null || exit 0
		_w=$((_w + 1))
	  done
	  [ -d "$T" ] && kill -TERM $$ ) < /dev/null > /dev/null 2>&1 &
	WATCHDOG=$!
	trap 'stop_watchdog; cleanup' EXIT
	trap "echo '# stopped by a signal (watchdog: $1 s)'; exit 1" INT TERM
}

stop_watchdog() {
	kill "$WATCHDOG" 2>/dev/null
}

ok() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# like GOT PATTERN DESCRIPTION (grep -E)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		echo "#   got: '$(printf '%s' "$1" | head -c 600)'"
		echo "#   not matching: '$2'"
	fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		echo "#   got: '$(printf '%s' "$1" | head -c 600)'"
	else ok 0 "$3"; fi
}

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $1"
}

done_testing() {
	[ "$_failed" -eq 0 ]
	exit $?
}

# start_taskdns CONFIG_JSON_BODY [extra args...]
# CONFIG_JSON_BODY is the inside of the config object without listener and
# port; they are added.  The word HTTP_PORT in it becomes a free port and
# turns the HTTP API on (else httpOn is false).  Retries on a busy port.
# Sets PID, PORT, HTTP_PORT, LOG.
start_taskdns() {
	_body=$1
	shift
	LOG=$T/taskdns.log
	for _try in 1 2 3 4 5 6 7 8; do
		# TASKDNS_PORT: the port a restarted daemon keeps.
		PORT=${TASKDNS_PORT:-$(free_port)}
		HTTP_PORT=$(free_port)
		# The HTTP API only where a test asks for it (HTTP_PORT in
		# the body); others would fight over port 8123.
		case $_body in
		*HTTP_PORT*) _b=$(printf '%s' "$_body" |
		    sed "s/HTTP_PORT/$HTTP_PORT/g") ;;
		*) _b="\"httpOn\": false, $_body" ;;
		esac
		printf '{"listener": "127.0.0.1", "port": %s, %s}\n' \
		    "$PORT" "$_b" > "$T/config.json"
		${TASKDNS_WRAP:-} "$TASKDNS" -config "$T/config.json" "$@" \
		    > "$T/stdout" 2> "$LOG" &
		PID=$!
		if wait_log 'ready:|cannot bind|invalid config|error' \
		    "${TASKDNS_START_WAIT:-10}"; then
			if grep -q 'ready:' "$LOG"; then
				return 0
			fi
		fi
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=
		# A bad config will not get better; anything else (a port
		# taken meanwhile, a slow machine) is tried again, and shown.
		grep -q 'invalid config' "$LOG" && break
		grep -q 'cannot bind' "$LOG" ||
		    sed 's/^/# (start attempt failed, retrying) /' "$LOG"
	done
	echo "# taskdns did not start:"
	sed 's/^/#   /' "$LOG"
	return 1
}

# wait_log PATTERN SECONDS: until the log matches (polling, bounded).
wait_log() {
	_i=0
	while [ "$_i" -lt $(($2 * 20)) ]; do
		if grep -Eq -- "$1" "$LOG" 2>/dev/null; then
			return 0
		fi
		if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
			grep -Eq -- "$1" "$LOG" 2>/dev/null
			return $?
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# stop_taskdns: SIGTERM and wait; sets STOP_STATUS.
stop_taskdns() {
	kill -TERM "$PID"
	wait "$PID"
	STOP_STATUS=$?
	PID=
}

# finish_daemon: stop it with SIGTERM and assert (2 results) that it exited
# 0 and that its log holds no sanitizer report (ASan, UBSan, LSan).
finish_daemon() {
	stop_taskdns
	is "$STOP_STATUS" "0" "SIGTERM: clean exit"
	unlike "$(cat "$LOG")" 'Sanitizer|runtime error' \
	    "no sanitizer report in the daemon's log"
}

# q NAME TYPE [dig options...]: dig against the daemon.
q() {
	_name=$1
	_type=$2
	shift 2
	dig +time=2 +tries=1 -p "$PORT" @127.0.0.1 "$_name" "$_type" "$@" 2>&1
}

# Short answer, sorted, one per line.
qs() {
	q "$@" +short | sort
}

# wait_answer NAME TYPE WANT SECONDS: poll until the short answer is WANT
# (bounded); prints the last answer.
wait_answer() {
	_i=0
	while [ "$_i" -lt $(($4 * 10)) ]; do
		_a=$(qs "$1" "$2" | tr '\n' ' ' | sed 's/ $//')
		[ "$_a" = "$3" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	printf '%s\n' "$_a"
}

# start_fm STATEFILE [ADDR]: a fake master on a free loopback port (on
# 127.0.0.1 or ADDR); prints its port.  Killed at exit.
start_fm() {
	_pf=$T/fm.$$.$(date +%N).port
	"$TOP_BUILDDIR/t/fake_master" "$_pf" "$1" ${2:-} > /dev/null 2>> "$T/fm.log" &
	echo "$!" >> "$T/helper.pids"
	wait_file "$_pf" 5
	cat "$_pf"
}

# fm PORT QUERY [ADDR]: tell a fake master what to do
# (mode=..&state=..&leader=..).
fm() {
	curl -sf "http://${3:-127.0.0.1}:$1/control?$2" > /dev/null
}

# wait_count PATTERN N SECONDS: until the log has N lines matching.
wait_count() {
	_i=0
	while [ "$_i" -lt $(($3 * 20)) ]; do
		[ "$(grep -Ec -- "$1" "$LOG")" -ge "$2" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# demo_plus OUT TEMPLATE NAME...: the demo state plus, for each NAME, a copy
# of the first task named TEMPLATE renamed NAME (id NAME.1).
demo_plus() {
	python3 - "$TOP_SRCDIR/conf/demo-state.json" "$@" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1]))
tasks = d["frameworks"][0]["tasks"]
tpl = [t for t in tasks if t["name"] == sys.argv[3]][0]
for name in sys.argv[4:]:
    t = copy.deepcopy(tpl)
    t["id"], t["name"] = name + ".1", name
    t.pop("discovery", None)
    tasks.append(t)
json.dump(d, open(sys.argv[2] + ".tmp", "w"))
PY
	mv "$1.tmp" "$1"
}

# start_upstream MODE: a scripted upstream resolver (t/upstream.py), killed
# at exit; sets UP_PORT.  Bails out when it does not start.
start_upstream() {
	_pf=$T/up.$1
	python3 "$TOP_SRCDIR/t/upstream.py" "$_pf" "$1" 300 > /dev/null \
	    2> "$_pf.err" &
	FM_PIDS="$FM_PIDS $!"
	# Python can be slow to start on a loaded machine: up to 30 s.
	wait_file "$_pf" 30
	UP_PORT=$(cat "$_pf" 2> /dev/null)
	[ -n "$UP_PORT" ] || {
		echo "Bail out! the $1 upstream (t/upstream.py) did not start"
		sed 's/^/# /' "$_pf.err"
		exit 1
	}
}

# start_nsd ZONES_CONF PROBE: NSD on a free loopback port serving the zone
# files in $T/nsd (ZONES_CONF: its "zone:" clauses), rate limiting off,
# killed at exit; sets NSD_PORT once PROBE (an A name) answers.  Bails
# out when it does not start.
start_nsd() {
	NSD_PORT=
	for _try in 1 2 3 4 5; do
		_p=$(free_port)
		{
			printf 'server:\n\tip-address: 127.0.0.1@%s\n' "$_p"
			printf '\tport: %s\n\tusername: ""\n\tchroot: ""\n' "$_p"
			printf '\tzonesdir: "%s"\n\tdatabase: ""\n' "$T/nsd"
			printf '\tpidfile: "%s/nsd.pid"\n' "$T/nsd"
			printf '\txfrdfile: "%s/xfrd.state"\n' "$T/nsd"
			printf '\tzonelistfile: "%s/zone.list"\n' "$T/nsd"
			printf '\tlogfile: "%s/nsd.log"\n' "$T/nsd"
			printf '\tserver-count: 1\n\tverbosity: 1\n'
			# No rate limiting: tests send thousands of queries.
			printf '\trrl-ratelimit: 0\n'
			printf 'remote-control:\n\tcontrol-enable: no\n'
			printf '%s\n' "$1"
		} > "$T/nsd/nsd.conf"
		nsd -c "$T/nsd/nsd.conf" -d > "$T/nsd/stdout" 2>&1 &
		_np=$!
		FM_PIDS="$FM_PIDS $_np"
		_i=0
		while [ "$_i" -lt 50 ]; do
			if [ -n "$(dig +short +time=1 +tries=1 -p "$_p" \
			    @127.0.0.1 "$2" A 2> /dev/null)" ]; then
				NSD_PORT=$_p
				return 0
			fi
			kill -0 "$_np" 2> /dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_np" 2> /dev/null
	done
	echo "Bail out! NSD did not start:"
	sed 's/^/# /' "$T/nsd/nsd.log" "$T/nsd/stdout"
	exit 1
}

# start_knot CONFIG-TAIL: a Knot DNS server (knotd) on a free loopback
# port, its database in $T/knot, with CONFIG-TAIL (remote:, acl:, zone:
# sections) after its server: section; sets KNOT_PORT.  Killed at exit.
start_knot() {
	KNOT_PORT=
	mkdir -p "$T/knot"
	for _try in 1 2 3 4 5; do
		_p=$(free_port)
		{
			printf 'server:\n    listen: 127.0.0.1@%s\n' "$_p"
			printf '    rundir: "%s"\n' "$T/knot"
			printf '    background-workers: 1\n    udp-workers: 1\n'
			printf '    tcp-workers: 1\n'
			printf 'log:\n  - target: "%s/knot.log"\n    any: info\n' \
			    "$T/knot"
			printf 'database:\n    storage: "%s"\n' "$T/knot"
			printf 'template:\n  - id: default\n'
			printf '    storage: "%s"\n    zonefile-sync: -1\n' "$T/knot"
			printf '    zonefile-load: none\n    journal-content: none\n'
			printf '%s\n' "$1"
		} > "$T/knot/knot.conf"
		knotd -c "$T/knot/knot.conf" > "$T/knot/stdout" 2>&1 &
		_kp=$!
		FM_PIDS="$FM_PIDS $_kp"
		_i=0
		while [ "$_i" -lt 50 ]; do
			if grep -q 'server started' "$T/knot/knot.log" \
			    2> /dev/null; then
				KNOT_PORT=$_p
				return 0
			fi
			kill -0 "$_kp" 2> /dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_kp" 2> /dev/null
		wait "$_kp" 2> /dev/null
		rm -f "$T/knot/knot.log"
	done
	echo "Bail out! Knot did not start:"
	sed 's/^/# /' "$T/knot/knot.log" "$T/knot/stdout"
	exit 1
}

# wait_serial PORT SERIAL: until the server on PORT answers the mesos SOA
# with SERIAL (a secondary has transferred it; 10 s at most).
wait_serial() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		_s=$(dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 mesos SOA \
		    2> /dev/null | awk '{ print $3 }')
		[ "$_s" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# axfr_records PORT ZONE [kdig options]: the zone's records by AXFR from
# 127.0.0.1@PORT, one per line in kdig's text, owner lower-cased, sorted
# (the two SOAs of the transfer as one).
axfr_records() {
	_ap=$1
	_az=$2
	shift 2
	kdig -p "$_ap" @127.0.0.1 AXFR "$_az" +timeout=5 +noall +answer "$@" \
	    2> /dev/null | awk '!/^;/ && NF { $1 = tolower($1); print }' |
	    sort -u
}
