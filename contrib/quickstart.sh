#!/bin/sh
# quickstart.sh run|test - build taskdns on Debian 12 and either serve the
# demo cluster on 127.0.0.1:8053 (run) or run the whole test suite (test).
# Installs the build dependencies with apt-get when they are missing (as
# root).  Extra ./configure flags: CONFIGURE_FLAGS="--enable-werror ...".
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)

DEPS="build-essential autoconf automake libtool pkg-config libevent-dev
libc-ares-dev libjansson-dev libcurl4-openssl-dev libcmocka-dev libyajl-dev
libzookeeper-mt-dev libknot-dev libsodium-dev bind9-dnsutils python3 curl"
# What only the tests use: a ZooKeeper server, network namespaces, NSD as
# an upstream for forwarding, NSD and Knot as zone-transfer secondaries,
# valgrind, jq and promtool (prometheus) for the HTTP API, dnsperf for
# load, and the real clients the suite runs against taskdns: HAProxy,
# Unbound, dnsmasq, Go's resolver and musl's.
TEST_DEPS="zookeeper iproute2 util-linux openssl nsd valgrind jq prometheus
dnsperf knot knot-dnsutils haproxy unbound dnsmasq-base golang-go musl-tools"

# Packages whose services quickstart keeps from starting or being enabled:
# the tests start their own copies on loopback, on ports of their own.
SERVICE_PKGS="nsd knot unbound haproxy prometheus zookeeper"

# install_deps [extra packages]
install_deps() {
	missing=
	for p in $DEPS "$@"; do
		dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "quickstart: installing$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart: run as root, or install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# No service a package ships may start while it installs (invoke-rc.d
	# asks policy-rc.d; 101 means "not allowed"); ours goes again after.
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing || {
		[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
		exit 1
	}
	[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
	# ... nor stays enabled for the next boot: only the units of
	# packages this run installed, so nothing the user had is touched.
	for p in $missing; do
		case " $(echo $SERVICE_PKGS) " in *" $p "*) ;; *) continue ;; esac
		for u in $(dpkg -L "$p" | grep -E '/systemd/system/[^/]+\.(service|socket|timer)$'); do
			u=$(basename "$u")
			if command -v systemctl > /dev/null; then
				# Works offline too (a chroot, no systemd).
				systemctl disable "$u" > /dev/null 2>&1 || :
				[ -d /run/systemd/system ] &&
				    systemctl stop "$u" > /dev/null 2>&1 || :
			else
				# No systemd here: the links the package made.
				find /etc/systemd/system -type l -name "$u" \
				    -delete 2> /dev/null || :
			fi
		done
	done
}

build() {
	[ -x configure ] || autoreconf -fi
	if [ ! -f Makefile ] || [ -n "${CONFIGURE_FLAGS:-}" ]; then
		# shellcheck disable=SC2086
		./configure ${CONFIGURE_FLAGS:-}
	fi
	make -j"$(nproc)"
}

case "${1:-}" in
run)
	install_deps
	build
	cat <<MSG

taskdns is serving the demo cluster (conf/demo-state.json) on 127.0.0.1:8053.
In another terminal:

  dig -p 8053 @127.0.0.1 web.marathon.mesos A
  dig -p 8053 @127.0.0.1 _web._tcp.marathon.mesos SRV
  dig -p 8053 @127.0.0.1 ipv6-app.marathon.mesos AAAA
  curl http://127.0.0.1:8123/v1/hosts/web.marathon.mesos
  curl http://127.0.0.1:8123/metrics

Ctrl-C stops it.
MSG
	exec "$TOP/src/taskdns" -config "$TOP/conf/demo.json"
	;;
test)
	install_deps $TEST_DEPS
	build
	if [ -z "${TASKDNS_SHARED:-}" ] && [ -d "$TOP/../shared/fixtures" ]; then
		TASKDNS_SHARED=$(cd "$TOP/../shared" && pwd)
		export TASKDNS_SHARED
	fi
	make -j"$(nproc)" check || {
		for f in t/*.log t/unit/*.log; do
			grep -q '^not ok\|^ERROR\|^FAIL' "$f" 2>/dev/null && {
				echo "==== $f"; cat "$f"; }
		done
		exit 1
	}
	;;
*)
	echo "usage: contrib/quickstart.sh run|test" >&2
	exit 2
	;;
esac
