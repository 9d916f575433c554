#!/usr/bin/env python3
"""Helpers for benches/notify.sh (standard library only).

  notify.py receive LOG
      An HTTP receiver on 127.0.0.1 (a free port, printed first) that
      answers every POST 200 and logs, per request, the time it arrived
      (taken before the body is read), the path (the destination), the
      Incident-Delivery header and the N of "bench event N" in the body.
      Keep-alive (HTTP/1.1), TCP_NODELAY, one write per answer. The log is
      written when SIGTERM or SIGINT stops it.

  notify.py write LOG --rate R --seconds S --keys K -- COMMAND...
      Runs COMMAND + [KEY, "bench event N"] R times a second for S seconds,
      N = 0, 1, …, KEY cycling over 1..K, each started on schedule by one of
      a pool of threads (so a slow write does not delay the next), and logs
      N, the scheduled, start and end times and the exit status.

  notify.py report WRITES RECEIVED --destinations N [--json]
      Joins the two logs: for each destination, per event, arrival minus
      the command's start (an upper bound of the delivery latency) and
      minus its end (the event was committed before the command ended);
      p50, p99, max, what was missing or repeated, the rate achieved.
"""

import argparse
import math
import http.server
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

BENCH = re.compile(rb"bench event (\d+)")


def receive(log):
    records = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            arrived = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            # One write, no Nagle delay: the receiver should cost nothing.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            m = BENCH.search(body)
            records.append((arrived, self.path, self.headers.get("Incident-Delivery", ""),
                            int(m.group(1)) if m else -1))

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def handle(self):
            # A client closing its kept-alive connection is not an error.
            try:
                super().handle()
            except (ConnectionResetError, BrokenPipeError):
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def stop(*_):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    with open(log, "w") as f:
        for r in records:
            f.write("%.6f\t%s\t%s\t%d\n" % r)


def write(log, rate, seconds, keys, command):
    total = int(rate * seconds)
    rows = [None] * total

    def one(n, scheduled):
        start = time.time()
        code = subprocess.run(command + [str(n % keys + 1), "bench event %d" % n],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode
        rows[n] = (n, scheduled, start, time.time(), code)

    t0 = time.time() + 0.2
    with ThreadPoolExecutor(max_workers=16) as pool:
        for n in range(total):
            scheduled = t0 + n / rate
            wait = scheduled - time.time()
            if wait > 0:
                time.sleep(wait)
            pool.submit(one, n, scheduled)
    with open(log, "w") as f:
        for r in rows:
            f.write("%d\t%.6f\t%.6f\t%.6f\t%d\n" % r)


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]  # nearest rank


def report(writes_log, received_log, destinations, as_json):
    writes = {}
    for line in open(writes_log):
        n, scheduled, start, end, code = line.split("\t")
        writes[int(n)] = (float(scheduled), float(start), float(end), int(code))
    received = {}
    for line in open(received_log):
        arrived, path, delivery, n = line.rstrip("\n").split("\t")
        received.setdefault(path, []).append((float(arrived), int(n)))
    ok = {n for n, w in writes.items() if w[3] == 0}
    first = min(w[1] for w in writes.values())
    last = max(w[2] for w in writes.values())
    out = {
        "events": len(writes),
        "failed_writes": len(writes) - len(ok),
        "write_rate": len(writes) / (last - first),
        "write_ms_p50": 1000 * pct([w[2] - w[1] for w in writes.values()], 50),
        "write_ms_p99": 1000 * pct([w[2] - w[1] for w in writes.values()], 99),
        "start_lag_ms_max": 1000 * max(w[1] - w[0] for w in writes.values()),
        "destinations": {},
    }
    from_start, from_end = [], []
    for path in sorted(received):
        got = received[path]
        seen = {}
        for arrived, n in got:
            if n in ok and n not in seen:
                seen[n] = arrived
        late = [seen[n] - writes[n][1] for n in seen]
        early = [seen[n] - writes[n][2] for n in seen]
        from_start += late
        from_end += early
        out["destinations"][path] = {
            "received": len(got),
            "missing": len(ok - set(seen)),
            "repeated": len(got) - len(seen),
            "p50_ms": 1000 * pct(late, 50),
            "p99_ms": 1000 * pct(late, 99),
            "max_ms": 1000 * max(late, default=float("nan")),
            "drained_s": (max(seen.values()) - last) if seen else float("nan"),
        }
    out["all"] = {
        "p50_ms": 1000 * pct(from_start, 50),
        "p99_ms": 1000 * pct(from_start, 99),
        "max_ms": 1000 * max(from_start, default=float("nan")),
        "p50_ms_from_end": 1000 * pct(from_end, 50),
        "p99_ms_from_end": 1000 * pct(from_end, 99),
        "max_ms_from_end": 1000 * max(from_end, default=float("nan")),
        "missing": sum(d["missing"] for d in out["destinations"].values())
        + len(ok) * (destinations - len(received)),
    }
    if as_json:
        print(json.dumps(out))
        return
    print("%d events in %.1f s (%.1f/s), %d writes failed; a write took p50 %.1f ms, p99 %.1f ms; "
          "latest start %.0f ms behind schedule"
          % (out["events"], last - first, out["write_rate"], out["failed_writes"],
             out["write_ms_p50"], out["write_ms_p99"], out["start_lag_ms_max"]))
    for path, d in out["destinations"].items():
        print("  %-8s received %d, missing %d, repeated %d; latency p50 %.0f ms, p99 %.0f ms, "
              "max %.0f ms; last one %.2f s after the last write"
              % (path, d["received"], d["missing"], d["repeated"], d["p50_ms"], d["p99_ms"],
                 d["max_ms"], d["drained_s"]))
    a = out["all"]
    print("  all      latency from the command's start p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
          "from its end p50 %.0f ms, p99 %.0f ms, max %.0f ms; missing %d"
          % (a["p50_ms"], a["p99_ms"], a["max_ms"], a["p50_ms_from_end"], a["p99_ms_from_end"],
             a["max_ms_from_end"], a["missing"]))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="what", required=True)
    r = sub.add_parser("receive")
    r.add_argument("log")
    w = sub.add_parser("write")
    w.add_argument("log")
    w.add_argument("--rate", type=float, default=100)
    w.add_argument("--seconds", type=float, default=60)
    w.add_argument("--keys", type=int, default=10)
    w.add_argument("command", nargs="+")
    s = sub.add_parser("report")
    s.add_argument("writes")
    s.add_argument("received")
    s.add_argument("--destinations", type=int, default=3)
    s.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.what == "receive":
        receive(a.log)
    elif a.what == "write":
        write(a.log, a.rate, a.seconds, a.keys, a.command)
    else:
        report(a.writes, a.received, a.destinations, a.json)


if __name__ == "__main__":
    sys.exit(main())
