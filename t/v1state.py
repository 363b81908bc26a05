#!/usr/bin/env python3
"""v1state.py - Mesos v1 operator API records for the tests, one a line.

  v1state.py subscribed STATE [HEARTBEAT]
      the SUBSCRIBED snapshot of a v0 /master/state file: its frameworks,
      agents and tasks in v1's shapes (ids as objects, agent_id, resources
      as ranges, labels wrapped), heartbeat_interval_seconds HEARTBEAT (1)
  v1state.py added STATE TASK_ID
      TASK_ADDED of that task of the state, as Mesos sends it: staging, no
      statuses
  v1state.py updated TASK_ID FW_ID AGENT_ID STATE [IP|-] [healthy|unhealthy]
      TASK_UPDATED (1.1+): the task's state, a status with the IP (none
      for -) and the health
  v1state.py agent-removed AGENT_ID | framework-removed FW_ID
"""
import json
import re
import sys


def vid(v):
    return {"value": v}


def v1_status(st, task_id, agent_id):
    out = {"task_id": vid(task_id), "state": st.get("state"),
           "timestamp": st.get("timestamp", 1.0)}
    if agent_id:
        out["agent_id"] = vid(agent_id)
    if "healthy" in st:
        out["healthy"] = st["healthy"]
    if isinstance(st.get("labels"), list):
        out["labels"] = {"labels": st["labels"]}
    if "container_status" in st:
        out["container_status"] = st["container_status"]
    return out


def ranges(ports):
    out = []
    for m in re.finditer(r"(\d+)-(\d+)", ports or ""):
        out.append({"begin": int(m.group(1)), "end": int(m.group(2))})
    return out


def v1_task(t, fw_id, staging=False):
    out = {"name": t.get("name", ""), "task_id": vid(t["id"]),
           "framework_id": vid(fw_id), "agent_id": vid(t.get("slave_id", "")),
           "state": "TASK_STAGING" if staging else t.get("state")}
    res = t.get("resources") or {}
    r = [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}}]
    if isinstance(res, dict) and res.get("ports"):
        r.append({"name": "ports", "type": "RANGES",
                  "ranges": {"range": ranges(res["ports"])}})
    out["resources"] = r
    if "discovery" in t:
        out["discovery"] = t["discovery"]
    if not staging:
        out["statuses"] = [v1_status(s, t["id"], t.get("slave_id"))
                           for s in t.get("statuses") or []]
    return out


def subscribed(state, hb):
    tasks, fws, agents = [], [], []
    for f in state.get("frameworks", []):
        fws.append({"framework_info": {"user": "root", "name": f.get("name", ""),
                                       "id": vid(f["id"]),
                                       "hostname": f.get("hostname", "")},
                    "active": True})
        for t in f.get("tasks", []):
            tasks.append(v1_task(t, f["id"]))
    for s in state.get("slaves", []):
        m = re.match(r".*@(.*):(\d+)$", s.get("pid", ""))
        info = {"hostname": s.get("hostname", m.group(1) if m else ""),
                "port": int(m.group(2)) if m else 5051, "id": vid(s["id"])}
        agents.append({"agent_info": info, "active": True,
                       "pid": s.get("pid", "")})
    return {"type": "SUBSCRIBED", "subscribed": {"get_state": {
        "get_tasks": {"tasks": tasks}, "get_executors": {},
        "get_frameworks": {"frameworks": fws},
        "get_agents": {"agents": agents, "recovered_agents": []}},
        "heartbeat_interval_seconds": hb}}


def main(a):
    if a[0] == "subscribed":
        state = json.load(open(a[1]))
        rec = subscribed(state, float(a[2]) if len(a) > 2 else 1.0)
    elif a[0] == "added":
        state = json.load(open(a[1]))
        rec = None
        for f in state.get("frameworks", []):
            for t in f.get("tasks", []):
                if t["id"] == a[2]:
                    rec = {"type": "TASK_ADDED",
                           "task_added": {"task": v1_task(t, f["id"], True)}}
        if rec is None:
            sys.exit("v1state.py: no task " + a[2])
    elif a[0] == "updated":
        tid, fid, aid, st = a[1:5]
        status = {"task_id": vid(tid), "state": st, "agent_id": vid(aid),
                  "source": "SOURCE_EXECUTOR", "timestamp": 2.0}
        if len(a) > 5 and a[5] != "-":
            status["container_status"] = {"network_infos": [
                {"ip_addresses": [{"protocol": "IPv4", "ip_address": a[5]}]}]}
        if len(a) > 6:
            status["healthy"] = a[6] == "healthy"
        rec = {"type": "TASK_UPDATED", "task_updated": {
            "framework_id": vid(fid), "status": status, "state": st}}
    elif a[0] == "agent-removed":
        rec = {"type": "AGENT_REMOVED", "agent_removed": {"agent_id": vid(a[1])}}
    elif a[0] == "framework-removed":
        rec = {"type": "FRAMEWORK_REMOVED",
               "framework_removed": {"framework_info": {"id": vid(a[1]),
                                                        "name": ""}}}
    else:
        sys.exit(__doc__)
    print(json.dumps(rec, separators=(",", ":")))


main(sys.argv[1:])
