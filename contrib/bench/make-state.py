#!/usr/bin/env python3
"""make-state.py - a synthetic Mesos /master/state of N running tasks, for
the benchmarks.  Deterministic: the same N (and SEED) give the same bytes.

  make-state.py N [SEED] > state.json

About 400 bytes a task, as the large states of real clusters: one agent
per 25 tasks, a Marathon framework with most tasks and four others; each
task has two host ports, a netinfo container IP on every other task,
DiscoveryInfo with a named port on every third, a few finished tasks that
must not show up.  SEED changes a tenth of the tasks (new ids, new ports),
so a second state of the same size is a realistic next refresh.
"""
import json
import sys


def main():
    n = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    n_agents = max(5, n // 25)
    agents = [{
        "id": "5e1f0c2a-7b3d-4e8f-9a10-%012x-S%d" % (i, i),
        "pid": "slave(1)@10.%d.%d.%d:5051" % (1 + i // 65536,
                                               (i // 256) % 256, i % 256),
        "hostname": "agent%d.bench.internal" % i,
        "port": 5051, "active": True,
    } for i in range(n_agents)]
    fws = [{"id": "9b8e4c1d-0000-4000-8000-%012x-0000" % i,
            "name": name, "pid": "scheduler-%d@10.0.0.%d:%d" % (i, 20 + i,
                                                                 9000 + i),
            "hostname": "master%d.bench.internal" % (i % 3),
            "active": True, "tasks": [], "completed_tasks": []}
           for i, name in enumerate(["marathon", "chronos", "kafka",
                                     "spark", "cassandra"])]
    apps = 1 + n // 10
    for t in range(n):
        # A tenth of the tasks differ with the seed: a rolling restart.
        gen = seed if t % 10 == seed % 10 else 0
        fw = fws[0] if t % 10 < 6 else fws[1 + t % 4]
        app = "app-%d" % (t % apps)
        agent = agents[(t * 7 + gen) % n_agents]
        port = 31000 + (t * 2 + gen * 17) % 2000
        task = {
            "id": "%s.%08x-%04x-4111-8111-%012x" % (app, t, gen, t),
            "name": app, "framework_id": fw["id"],
            "slave_id": agent["id"], "state": "TASK_RUNNING",
            "resources": {"cpus": 0.1, "mem": 128.0, "disk": 0.0,
                          "ports": "[%d-%d]" % (port, port + 1)},
            "statuses": [{"state": "TASK_RUNNING",
                          "timestamp": 1700000000.0 + t}],
        }
        if t % 2 == 0:
            task["statuses"][0]["container_status"] = {"network_infos": [{
                "ip_addresses": [{"protocol": "IPv4",
                                  "ip_address": "172.%d.%d.%d" % (
                                      16 + t // 65536, (t // 256) % 256,
                                      t % 256)}]}]}
        if t % 3 == 0:
            task["discovery"] = {"visibility": "FRAMEWORK", "name": app,
                                 "ports": {"ports": [
                                     {"number": 8080, "name": "http",
                                      "protocol": "tcp"}]}}
        fw["tasks"].append(task)
        if t % 50 == 0:
            done = dict(task, state="TASK_FINISHED",
                        id=task["id"] + "-old")
            fw["completed_tasks"].append(done)
    state = {"version": "1.9.0", "leader": "master@10.0.0.1:5050",
             "pid": "master@10.0.0.1:5050", "hostname": "master0",
             "frameworks": fws, "slaves": agents}
    json.dump(state, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
