#!/usr/bin/env python3
"""layering.py - the include rules of ../shared/docs/ARCHITECTURE.md
("Layout: a folder is a layer"), checked on a source tree.

  layering.py SRCDIR

Reads every #include of every .c and .h under SRCDIR (one folder per
layer) and prints one line per violation: a header of a layer this one may
not use, a library header its layer may not include, a project header
named without its folder, a transport of net including another (or the
server), the worker including a transport, or a file outside the layer
folders; and, as STYLE.md asks, a function over 100 lines or a file over
1000 (two modules then).  Exits 1 when there is any, 0 when the tree
keeps the rules.
"""
import os
import re
import sys

# Project folders each layer may include (its own always).
LAYERS = {
    "dns": set(),
    "util": set(),
    "zone": {"dns", "util"},
    "conf": {"util"},
    "mesos": {"dns", "util", "zone", "conf"},
    "net": {"dns", "util", "zone", "mesos", "conf"},
    "daemon": {"dns", "util", "zone", "mesos", "conf", "net"},
}
# Of zone, mesos may use the builder, the patch and the table they hand
# back only.
ONLY = {("mesos", "zone"): {"zone/builder.h", "zone/table.h",
                               "zone/patch.h"}}

# Inside net: the transports depend on the worker, never on each other or
# on the server that runs them, and the worker names no transport.
FORBID = {
    "net/udp": {"net/tcp.h", "net/server.h"},
    "net/tcp": {"net/udp.h", "net/server.h"},
    "net/worker": {"net/udp.h", "net/tcp.h"},
}

# Library headers and the layers that may include them.
LIBS = [
    (re.compile(r"^event2/"), {"net", "daemon"}, "libevent"),
    (re.compile(r"^curl/"), {"net", "daemon"}, "libcurl"),
    (re.compile(r"^ares(_[a-z]+)?\.h$"), {"net", "daemon"}, "c-ares"),
    (re.compile(r"^zookeeper/"), {"net", "daemon"}, "ZooKeeper"),
    (re.compile(r"^jansson\.h$"), {"conf", "daemon"}, "jansson"),
    (re.compile(r"^yajl/"), {"mesos"}, "yajl"),
    (re.compile(r"^libzscanner/"), {"zone"}, "libzscanner"),
    (re.compile(r"^(libdnssec|gnutls|nettle)/"), {"net", "daemon"}, "crypto"),
    (re.compile(r"^sodium(\.h|/)"), {"net"}, "libsodium"),
    (re.compile(r"^cmocka\.h$"), set(), "cmocka"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

MAX_FUNCTION = 100
MAX_FILE = 1000


def check(src):
    errors = []
    for layer_dir, _, files in sorted(os.walk(src)):
        rel = os.path.relpath(layer_dir, src)
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(rel, f) if rel != "." else f
            layer = rel.split(os.sep)[0]
            if layer not in LAYERS:
                errors.append("%s: not in a layer folder (%s)" %
                              (path, ", ".join(LAYERS)))
                continue
            with open(os.path.join(layer_dir, f), errors="replace") as fh:
                lines = fh.read().split("\n")
            for n, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if m:
                    errors += rule(path, n, layer, m.group(1), m.group(2))
            errors += sizes(path, lines)
    return errors


def sizes(path, lines):
    """A function's body is from a "{" alone at the start of a line to the
    next "}" there (the STYLE.md layout); its length counts both."""
    errors = []
    if len(lines) > MAX_FILE + 1:
        errors.append("%s: %d lines, over %d: make it two modules" %
                      (path, len(lines) - 1, MAX_FILE))
    start = None
    for n, line in enumerate(lines, 1):
        if line == "{":
            start = n
        elif line.startswith("}") and start is not None:
            if n - start + 1 > MAX_FUNCTION:
                errors.append("%s:%d: a function of %d lines, over %d" %
                              (path, start, n - start + 1, MAX_FUNCTION))
            start = None
    return errors


def rule(path, n, layer, kind, header):
    where = "%s:%d" % (path, n)
    if kind == '"':
        top = header.split("/")[0]
        if "/" not in header or top not in LAYERS:
            return ['%s: "%s" does not name its folder (#include "LAYER/%s")'
                    % (where, header, header)]
        if top != layer and top not in LAYERS[layer]:
            return ["%s: %s includes %s, a layer it may not use" %
                    (where, layer, header)]
        module = os.path.splitext(path)[0]
        if header in FORBID.get(module, ()):
            return ["%s: %s may not include %s" % (where, module, header)]
        only = ONLY.get((layer, top))
        if only is not None and header not in only:
            return ["%s: %s may include only %s of %s, not %s" %
                    (where, layer, ", ".join(sorted(only)), top, header)]
        return []
    for pattern, allowed, name in LIBS:
        if pattern.search(header) and layer not in allowed:
            return ["%s: %s includes <%s> (%s), which only %s may" %
                    (where, layer, header, name,
                     ", ".join(sorted(allowed)) or "no layer")]
    return []


def main():
    errors = check(sys.argv[1])
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


main()
