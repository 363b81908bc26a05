#!/usr/bin/env python3
"""events.py - task events at a steady rate through a fake master's event
stream, and how long each takes to reach DNS.

  events.py DNSPORT FMPORT RATE SECONDS WORKDIR FRAMEWORK_ID AGENT_ID

For SECONDS, RATE records a second: for each new task bench-K, a
TASK_ADDED then a TASK_UPDATED to TASK_RUNNING with a netinfo IP, pushed
to the fake master's subscribers (/control?push=FILE, one kept-alive HTTP
connection).  A second thread asks 127.0.0.1:DNSPORT for the oldest task
not yet seen (bench-K.marathon.mesos A) every 2 ms, so each task's lag is
from its TASK_RUNNING push to the first answer that has it.  Prints
"events N tasks N seen N lag_p50_ms X lag_p99_ms Y lag_max_ms Z".
"""
import http.client, json, os, socket, struct, sys, threading, time


def record(rec):
    return json.dumps(rec, separators=(",", ":"))


def events(k, fw, agent):
    tid = "bench-%d.%08x" % (k, k)
    added = {"type": "TASK_ADDED", "task_added": {"task": {
        "name": "bench-%d" % k, "task_id": {"value": tid},
        "framework_id": {"value": fw}, "agent_id": {"value": agent},
        "state": "TASK_STAGING", "resources": [{"name": "ports",
            "type": "RANGES", "ranges": {"range": [{"begin": 31000,
                                                    "end": 31000}]}}]}}}
    ip = "10.200.%d.%d" % (k // 256 % 256, k % 256)
    running = {"type": "TASK_UPDATED", "task_updated": {
        "framework_id": {"value": fw}, "state": "TASK_RUNNING",
        "status": {"task_id": {"value": tid}, "state": "TASK_RUNNING",
                   "agent_id": {"value": agent}, "timestamp": 2.0,
                   "container_status": {"network_infos": [{"ip_addresses": [
                       {"protocol": "IPv4", "ip_address": ip}]}]}}}}
    return record(added), record(running)


def query(qid, name):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def main():
    port, fmport, rate, secs = (int(sys.argv[1]), int(sys.argv[2]),
                                float(sys.argv[3]), float(sys.argv[4]))
    work, fw, agent = sys.argv[5], sys.argv[6], sys.argv[7]
    pushed = {}          # k -> time of its TASK_RUNNING push
    seen = {}            # k -> lag
    lock = threading.Lock()
    done = threading.Event()

    def watch():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.2)
        k, qid = 0, 1
        while True:
            with lock:
                t = pushed.get(k)
            if t is None:
                if done.is_set():
                    return
                time.sleep(0.002)
                continue
            if time.monotonic() - t > 10:
                k += 1          # never seen: counted as missing
                continue
            qid = qid % 65535 + 1
            s.sendto(query(qid, "bench-%d.marathon.mesos" % k),
                     ("127.0.0.1", port))
            try:
                r = s.recv(4096)
            except socket.timeout:
                continue
            rid, flags, _, an = struct.unpack(">HHHH", r[:8])
            if rid == qid and flags & 15 == 0 and an > 0:
                seen[k] = time.monotonic() - t
                k += 1
                continue
            time.sleep(0.002)

    w = threading.Thread(target=watch)
    w.start()
    conn = http.client.HTTPConnection("127.0.0.1", fmport, timeout=10)
    path = os.path.join(work, "ev.json")
    t0 = time.monotonic()
    n = 0
    k = 0
    while time.monotonic() - t0 < secs:
        added, running = events(k, fw, agent)
        for i, rec in enumerate((added, running)):
            # Keep the rate: wait for this record's slot.
            due = t0 + n / rate
            d = due - time.monotonic()
            if d > 0:
                time.sleep(d)
            with open(path, "w") as f:
                f.write(rec + "\n")
            conn.request("GET", "/control?push=" + path)
            conn.getresponse().read()
            n += 1
            if i == 1:
                with lock:
                    pushed[k] = time.monotonic()
        k += 1
    done.set()
    w.join(15)
    lags = sorted(v * 1000 for v in seen.values())
    def pct(p):
        return lags[min(len(lags) - 1, int(p * len(lags)))] if lags else -1
    print("events %d tasks %d seen %d lag_p50_ms %.1f lag_p99_ms %.1f "
          "lag_max_ms %.1f" % (n, k, len(lags), pct(0.5), pct(0.99),
                               lags[-1] if lags else -1))


main()
