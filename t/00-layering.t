#!/bin/sh
# The layers stay layers: t/layering.py checks every #include under src/
# against ARCHITECTURE.md's table (which folder may include which, and
# which library each may use).  The checker is tested too: each violation
# planted in a copy of the tree must be found, by file and line.
. "${TOP_SRCDIR:-$(dirname "$0")/..}/t/lib.sh"
need python3
plan 15
watchdog 60
CHECK="python3 $TOP_SRCDIR/t/layering.py"

out=$($CHECK "$TOP_SRCDIR/src" 2>&1)
is "$?/$out" "0/" "src/ keeps the layering rules"

# plant FILE LINE WANT DESCRIPTION: the tree with LINE added to FILE must
# fail, and the checker must say WANT.
plant() {
	rm -rf "$T/src"
	cp -r "$TOP_SRCDIR/src" "$T/src"
	printf '%s\n' "$2" >> "$T/src/$1"
	_out=$($CHECK "$T/src" 2>&1)
	_rc=$?
	if [ "$_rc" -eq 1 ] && printf '%s\n' "$_out" | grep -q -- "$3"; then
		ok 0 "$4"
	else
		ok 1 "$4"
		echo "#   exit $_rc: $_out"
	fi
}
plant dns/wire.c '#include "zone/table.h"' \
    'dns/wire.c:[0-9]*: dns includes zone/table.h' "the codec including a zone header"
plant util/arena.c '#include "dns/err.h"' \
    'util/arena.c:[0-9]*: util includes dns/err.h' "util including the codec"
plant conf/config.c '#include "net/server.h"' \
    'conf/config.c:[0-9]*: conf includes net/server.h' "conf including a net header"
plant mesos/state.c '#include "zone/answer.h"' \
    'mesos/state.c:[0-9]*: mesos may include only' "mesos including more of zone than the builder"
plant zone/table.c '#include <event2/event.h>' \
    'zone/table.c:[0-9]*: zone includes <event2/event.h> (libevent)' "a pure layer including libevent"
plant mesos/generate.c '#include <curl/curl.h>' \
    'libcurl' "a pure layer including libcurl"
plant mesos/state.c '#include <jansson.h>' \
    'mesos/state.c:[0-9]*: mesos includes <jansson.h>' "jansson outside conf and daemon"
plant conf/acl.c '#include <yajl/yajl_parse.h>' \
    'conf includes <yajl/yajl_parse.h> (yajl)' "yajl outside mesos"
plant net/tcp.c '#include "wire.h"' \
    'does not name its folder' "a project header without its folder"
plant net/worker.c '#include "net/udp.h"' \
    'net/worker.c:[0-9]*: net/worker may not include net/udp.h' "the worker naming a transport"
plant net/udp.c '#include "net/tcp.h"' \
    'net/udp may not include net/tcp.h' "one transport including another"
plant net/tcp.c '#include "net/server.h"' \
    'net/tcp may not include net/server.h' "a transport including the server"
long=$(printf 'static void\nlong_one(void)\n{\n'; i=0
    while [ $i -lt 99 ]; do printf '\t;\n'; i=$((i + 1)); done; printf '}')
plant zone/answer.c "$long" \
    'zone/answer.c:[0-9]*: a function of 101 lines' "a function over 100 lines"
big=$(i=0; while [ $i -lt 1000 ]; do printf '/* */\n'; i=$((i + 1)); done)
plant dns/wire.c "$big" 'dns/wire.c: [0-9]* lines, over 1000' \
    "a file over 1000 lines"
done_testing
