#!/bin/bash
# fresh-root.sh - the README's two commands on a brand-new Debian 12 root.
#
# CI's machine keeps what earlier work installed, so a green run there can
# hide a missing install step.  This builds a minimal Debian 12 root
# (mmdebstrap --variant=minbase, with this machine's apt sources), copies
# the source tree (the files git tracks) and ../shared into it, and runs,
# as a new user would, `contrib/quickstart.sh run` (it must answer on
# 127.0.0.1:8053) and then `contrib/quickstart.sh test` (it must pass).
# Everything is unmounted and removed at the end; processes left in the
# root are ended by PID.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d /tmp/taskdns-fresh.XXXXXX)
run_pid=
mounted=0

# Every process whose root is the fresh root, by PID.
root_pids() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] &&
		    echo "${p#/proc/}"
	done
	return 0
}

cleanup() {
	set +e
	[ -n "$run_pid" ] && kill "$run_pid" 2> /dev/null
	for sig in TERM KILL; do
		pids=$(root_pids)
		[ -z "$pids" ] && break
		# shellcheck disable=SC2086
		kill -s "$sig" $pids 2> /dev/null
		sleep 1
	done
	if [ "$mounted" -eq 1 ]; then
		umount -R "$root" 2> /dev/null || umount -R -l "$root"
	fi
	# Only once nothing is mounted below it.
	if ! grep -q " $root" /proc/mounts; then
		rm -rf "$root"
	else
		echo "fresh-root: $root still has mounts; left in place" >&2
	fi
}
trap cleanup EXIT

sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && sources+=("$f")
done
echo "=== fresh root: mmdebstrap --variant=minbase bookworm (${sources[*]})"
mmdebstrap --variant=minbase --mode=root --quiet bookworm "$root" \
    "${sources[@]}"

# The root a mount of its own (so unshare -m works inside it), then the
# kernel's file systems and the host's name servers for apt.
mount --bind "$root" "$root"
mounted=1
mount --make-private "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

mkdir -p "$root/src/taskdns"
git -C "$top" ls-files -z | tar -C "$top" --null -T - -cf - |
    tar -C "$root/src/taskdns" -xf -
if [ -d "$top/../shared/fixtures" ]; then
	cp -a "$top/../shared" "$root/src/shared"
	chmod -R u+w "$root/src/shared"
fi

# in_root COMMAND: run it in the root as a new user's shell would, with
# nothing of CI's environment.  Each step execs the next, so the PID of
# `in_root ... &` ends up being the command's own.
in_root() {
	exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LANG=C.UTF-8 TERM=dumb \
	    chroot "$root" /bin/sh -c "cd /src/taskdns && $1"
}

echo "=== fresh root: contrib/quickstart.sh run"
(in_root 'exec contrib/quickstart.sh run') > "$root/run.log" 2>&1 &
run_pid=$!
answer=
for _ in $(seq 1 900); do
	if ! kill -0 "$run_pid" 2> /dev/null; then
		break
	fi
	if grep -q 'ready:' "$root/run.log"; then
		answer=$(dig +time=2 +tries=2 +short -p 8053 @127.0.0.1 \
		    web.marathon.mesos A | sort | tr '\n' ' ')
		break
	fi
	sleep 1
done
if [ -z "$answer" ]; then
	echo "fresh root: quickstart.sh run did not answer on 127.0.0.1:8053"
	tail -n 40 "$root/run.log"
	exit 1
fi
echo "fresh root: web.marathon.mesos A -> $answer"
kill -TERM "$run_pid"
wait "$run_pid" || :
run_pid=

echo "=== fresh root: contrib/quickstart.sh test"
(in_root 'exec contrib/quickstart.sh test')

# What test installed must leave no service of its own enabled.
enabled=$(find "$root/etc/systemd/system" -type l \( -name 'nsd*' \
    -o -name 'unbound*' -o -name 'haproxy*' -o -name 'prometheus*' \
    -o -name 'zookeeper*' \) 2> /dev/null | sed "s#^$root##")
if [ -n "$enabled" ]; then
	echo "fresh root: quickstart.sh left services enabled:" $enabled
	exit 1
fi
echo "=== fresh root: both README commands passed, no service left enabled"
