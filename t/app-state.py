#!/usr/bin/env python3
"""app-state.py - the demo state with one Marathon app of many tasks, for
the tests: prints the state as JSON.

  app-state.py DEMO NAME COUNT PREFIX [--http-port N] [--skip K]

The app NAME gets tasks NAME.0001 .. NAME.COUNT (any of that name already
in DEMO go first), copies of the demo's web task; task i has the container
address PREFIX.i (PREFIX is three octets; past 254 the third one moves
on).  --http-port N: discovery info with one named port, http/N (the SRV
names _NAME._tcp and _http._NAME._tcp); without it, no discovery info.
--skip K: task K is left out (a task that ended).
"""
import argparse
import copy
import json

p = argparse.ArgumentParser()
p.add_argument("demo")
p.add_argument("name")
p.add_argument("count", type=int)
p.add_argument("prefix")
p.add_argument("--http-port", type=int)
p.add_argument("--skip", type=int, default=0)
a = p.parse_args()
d = json.load(open(a.demo))
m = d["frameworks"][0]
tpl = [t for t in m["tasks"] if t["name"] == "web"][0]
m["tasks"] = [t for t in m["tasks"] if t["name"] != a.name]
o1, o2, o3 = (int(x) for x in a.prefix.split("."))
for i in range(1, a.count + 1):
    if i == a.skip:
        continue
    t = copy.deepcopy(tpl)
    t["id"] = "%s.%04d" % (a.name, i)
    t["name"] = a.name
    if a.http_port:
        t["discovery"]["name"] = a.name
        t["discovery"]["ports"]["ports"] = [
            {"name": "http", "number": a.http_port, "protocol": "tcp"}]
    else:
        t.pop("discovery")
    ip = "%d.%d.%d.%d" % (o1, o2, o3 + (i - 1) // 254, (i - 1) % 254 + 1)
    t["statuses"][-1]["container_status"]["network_infos"][0]["ip_addresses"] = [
        {"ip_address": ip}]
    m["tasks"].append(t)
print(json.dumps(d))
