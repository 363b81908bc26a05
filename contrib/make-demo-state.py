#!/usr/bin/env python3
"""Write conf/demo-state.json: a made-up Mesos 1.x cluster for the quick
start and the tests.  Deterministic: the same file every run.

  5 agents (one IPv6-only), 3 frameworks (marathon, chronos, kafka),
  36 running tasks plus finished/staging ones that must not show up,
  discovery info with named ports, container IPs from netinfo, Docker and
  Mesos labels, and one task with an IPv6 container address.
"""
import json, sys

LEADER = "master@127.0.0.1:5050"
agents = []
for i in range(5):
    ip = "[fd00:d::5]" if i == 4 else "10.0.1.%d" % (10 + i)
    agents.append({
        "id": "4a7d1f52-0c5e-4b8e-9d65-2f5b7a0c1e90-S%d" % i,
        "pid": "slave(1)@%s:5051" % ip,
        "hostname": "agent%d.demo.internal" % i,
        "port": 5051, "active": True,
    })

def status(state, ts, ips=(), labels=()):
    s = {"state": state, "timestamp": ts}
    if labels:
        s["labels"] = [{"key": k, "value": v} for k, v in labels]
    if ips:
        s["container_status"] = {"network_infos": [{"ip_addresses": [
            {"protocol": "IPv6" if ":" in ip else "IPv4", "ip_address": ip}
            for ip in ips]}]}
    return s

def task(fw, name, n, agent, ports, state="TASK_RUNNING", statuses=None,
         discovery=None):
    t = {
        "id": "%s.%08x-1111-4111-8111-%012x" % (name, 0xabc000 + n, n),
        "name": name, "framework_id": fw["id"],
        "slave_id": agents[agent]["id"], "state": state,
        "resources": {"cpus": 0.1, "mem": 64.0, "ports": ports},
        "statuses": statuses or [status("TASK_RUNNING", 1700000000.0 + n)],
    }
    if discovery:
        t["discovery"] = discovery
    return t

def fw(name, n, host):
    return {"id": "6b1f0c5e-2d3a-4c1b-8e7f-9a0b1c2d3e4f-%04d" % n,
            "name": name, "pid": "scheduler-%d@%s:%d" % (n, host, 15000 + n),
            "hostname": "master.demo.internal", "active": True, "tasks": [],
            "completed_tasks": []}

marathon, chronos, kafka = fw("marathon", 1, "10.0.0.2"), \
    fw("chronos", 2, "10.0.0.2"), fw("kafka", 3, "10.0.0.3")
n = 0
def add(f, *a, **k):
    global n
    n += 1
    f["tasks"].append(task(f, a[0], n, *a[1:], **k))

# web: 6 instances, discovery with named ports, container IPs (netinfo).
for i in range(6):
    add(marathon, "web", i % 5, "[%d-%d]" % (31000 + i * 2, 31001 + i * 2),
        statuses=[status("TASK_STARTING", 1700000000.0),
                  status("TASK_RUNNING", 1700000010.0 + i,
                         ips=["172.17.0.%d" % (10 + i)])],
        discovery={"visibility": "FRAMEWORK", "name": "web", "ports": {"ports": [
            {"number": 8080, "name": "http", "protocol": "tcp"},
            {"number": 8443, "name": "https", "protocol": "tcp"}]}})
# api: 5 instances on host networking.
for i in range(5):
    add(marathon, "api", i, "[%d-%d]" % (31100 + i, 31100 + i))
# cache: Docker label IPs (docker source is not a default source).
for i in range(4):
    add(marathon, "cache", i, "[%d-%d]" % (31200 + i, 31200 + i),
        statuses=[status("TASK_RUNNING", 1700000100.0 + i,
                         labels=[("Docker.NetworkSettings.IPAddress",
                                  "172.18.0.%d" % (2 + i))])])
# db: Mesos containerizer label IPs.
for i in range(3):
    add(marathon, "db", i, "[%d-%d]" % (31300 + i, 31300 + i),
        statuses=[status("TASK_RUNNING", 1700000200.0 + i,
                         labels=[("MesosContainerizer.NetworkSettings.IPAddress",
                                  "10.10.0.%d" % (2 + i))])])
# ipv6-app: a container with an IPv6 address, on the IPv6 agent.
add(marathon, "ipv6-app", 4, "[31400-31400]",
    statuses=[status("TASK_RUNNING", 1700000300.0,
                     ips=["fd00:c0de::10"])])
# Tasks that must not appear.
add(marathon, "old-web", 0, "[31500-31500]", state="TASK_FINISHED")
add(marathon, "staging", 1, "[31501-31501]", state="TASK_STAGING")
# chronos jobs.
for i in range(8):
    add(chronos, "report-%d" % (i % 4), i % 4, "[]")
# kafka brokers: named port with udp protocol, and an underscore name.
for i in range(9):
    add(kafka, "broker_%d" % (i % 3), i % 4, "[%d-%d]" % (9092 + i, 9092 + i),
        discovery={"visibility": "CLUSTER", "name": "broker-%d" % (i % 3),
                   "ports": {"ports": [
                       {"number": 9092 + i, "name": "kafka", "protocol": "tcp"},
                       {"number": 9999, "name": "Metrics", "protocol": "UDP"}]}})

state = {
    "version": "1.4.1", "hostname": "master.demo.internal",
    "pid": LEADER, "leader": LEADER,
    "leader_info": {"hostname": "master.demo.internal",
                    "address": {"ip": "127.0.0.1", "port": 5050}},
    "slaves": agents, "frameworks": [marathon, chronos, kafka],
    "completed_frameworks": [],
}
json.dump(state, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
