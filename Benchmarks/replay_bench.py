#!/usr/bin/env python3
"""Replay benchmark: routing throughput, delivery throughput and peak RSS of `herald replay`.

Generates N events (default 200,000) of realistic size and ~50 Alerts over 10 namespaces, then runs
  1. `herald replay --dry-run` (stdout counted, not stored), and
  2. `herald replay` delivering for real to a local HTTP sink on 127.0.0.1,
and prints events/s, notifications/s and the child's peak RSS (ru_maxrss from wait4).

Usage: python3 Benchmarks/replay_bench.py [--events N] [--binary PATH] [--skip-delivery]
Builds `swift build -c release --product herald` first unless --binary is given.
"""
import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

NAMESPACES = [f"team-{i}" for i in range(10)]
KINDS = [
    ("Kustomization", "kustomize.toolkit.fluxcd.io/v1", "kustomize-controller"),
    ("GitRepository", "source.toolkit.fluxcd.io/v1", "source-controller"),
    ("HelmRelease", "helm.toolkit.fluxcd.io/v2", "helm-controller"),
    ("OCIRepository", "source.toolkit.fluxcd.io/v1beta2", "source-controller"),
]
PROVIDER_TYPES = ["generic", "slack", "msteams", "discord", "generic-hmac"]


def manifests(address: str) -> str:
    docs = []
    for ns in NAMESPACES:
        docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "hmac", "namespace": ns},
                     "stringData": {"token": "benchmark-hmac-key-0123456789"}})
        for index, ptype in enumerate(PROVIDER_TYPES):
            spec = {"type": ptype, "address": f"{address}/{ns}/{ptype}", "channel": "general"}
            if ptype == "generic-hmac":
                spec["secretRef"] = {"name": "hmac"}
            docs.append({"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Provider",
                         "metadata": {"name": f"p{index}", "namespace": ns}, "spec": spec})
            kind = KINDS[index % len(KINDS)][0]
            alert = {"providerRef": {"name": f"p{index}"},
                     "eventSeverity": "error" if index == 4 else "info",
                     "eventSources": [{"kind": kind, "name": f"app-{index}"}, {"kind": kind, "name": f"svc-{index}"}],
                     "exclusionList": ["^ignored-.*"]}
            if index == 1:
                alert["inclusionList"] = ["(?i)upgrade|failed|stored"]
            docs.append({"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
                         "metadata": {"name": f"a{index}", "namespace": ns}, "spec": alert})
    return "\n---\n".join(json.dumps(d) for d in docs)


def events(count: int, seed: int = 7):
    rng = random.Random(seed)
    revision = "main@sha1:" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    for i in range(count):
        ns = rng.choice(NAMESPACES)
        kind, api, controller = rng.choice(KINDS)
        # 70% of names are selected by some Alert if the kind fits (app-N/svc-N); the rest are other workloads.
        if rng.random() < 0.7:
            name = rng.choice([f"app-{rng.randrange(5)}", f"svc-{rng.randrange(5)}"])
        else:
            name = f"workload-{rng.randrange(20)}"
        error = rng.random() < 0.15
        group = api.split("/")[0]
        message = (f"Deployment/{ns}/{name} configured (reconcile {i})\nService/{ns}/{name} unchanged\n"
                   f"ConfigMap/{ns}/{name}-config unchanged" if not error else
                   f"health check failed after 5m0s: timeout waiting for: [Deployment/{ns}/{name} status: 'InProgress'] ({i})")
        if rng.random() < 0.2 and i > 0:
            message = "Reconciliation finished in 1.2s, next run in 10m0s"  # repeats: rate limited
        meta = {f"{group}/revision": revision, "event.toolkit.fluxcd.io/env": "prod"}
        if rng.random() < 0.5:
            yield json.dumps({
                "involvedObject": {"kind": kind, "namespace": ns, "name": name,
                                   "uid": "7d0cdc51-ddcf-4743-b223-83ca5c699632", "apiVersion": api,
                                   "resourceVersion": str(80000 + i)},
                "severity": "error" if error else "info", "timestamp": "2026-11-25T10:00:00Z",
                "message": message, "reason": "HealthCheckFailed" if error else "ReconciliationSucceeded",
                "metadata": meta, "reportingController": controller,
                "reportingInstance": f"{controller}-7c7b47f5f-8bhrp"}, separators=(",", ":"))
        else:
            yield json.dumps({
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": f"{name}.{i:x}", "namespace": ns, "uid": f"uid-{i}",
                             "resourceVersion": str(90000 + i), "annotations": meta},
                "involvedObject": {"kind": kind, "namespace": ns, "name": name, "apiVersion": api,
                                   "uid": "7d0cdc51-ddcf-4743-b223-83ca5c699632"},
                "reason": "HealthCheckFailed" if error else "ReconciliationSucceeded", "message": message,
                "source": {"component": controller}, "firstTimestamp": "2026-11-25T10:00:00Z",
                "lastTimestamp": "2026-11-25T10:00:00Z", "count": 1, "type": "Warning" if error else "Normal",
                "reportingComponent": controller}, separators=(",", ":"))


class Sink:
    """A keep-alive HTTP/1.1 sink on 127.0.0.1 that answers 200 and counts requests."""

    def __init__(self):
        self.count = 0
        self.loop = asyncio.new_event_loop()
        self.port = None
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                self.count += 1
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def run(binary, args, stdout=subprocess.PIPE):
    """Runs herald, returns (seconds, output line count, peak RSS KiB, exit status)."""
    start = time.perf_counter()
    process = subprocess.Popen([binary] + args, stdout=stdout, stderr=subprocess.DEVNULL)
    lines = 0
    if stdout == subprocess.PIPE:
        for chunk in iter(lambda: process.stdout.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, lines, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--binary")
    parser.add_argument("--skip-delivery", action="store_true")
    options = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = options.binary
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "herald"], cwd=root, check=True)
        binary = os.path.join(root, ".build", "release", "herald")

    sink = Sink()
    with tempfile.TemporaryDirectory() as work:
        manifest_path = os.path.join(work, "manifests.yaml")
        events_path = os.path.join(work, "events.jsonl")
        with open(manifest_path, "w") as f:
            f.write(manifests(f"http://127.0.0.1:{sink.port}"))
        size = 0
        with open(events_path, "w") as f:
            for line in events(options.events):
                f.write(line + "\n")
                size += len(line) + 1
        print(f"machine: {os.cpu_count()} cores; input: {options.events} events, {size / options.events:.0f} bytes/event, "
              f"50 Alerts and 50 Providers in 10 namespaces")

        seconds, lines, rss, status = run(binary, ["replay", "--manifests", manifest_path, "--events", events_path, "--dry-run"])
        print(f"dry-run:  {options.events / seconds:,.0f} events/s, {lines / seconds:,.0f} notifications/s "
              f"({lines} notifications in {seconds:.2f} s), peak RSS {rss / 1024:.1f} MiB, exit {status}")

        if not options.skip_delivery:
            seconds, _, rss, status = run(binary, ["replay", "--manifests", manifest_path, "--events", events_path,
                                                   "--concurrency", "4"], stdout=subprocess.DEVNULL)
            print(f"delivery: {options.events / seconds:,.0f} events/s, {sink.count / seconds:,.0f} notifications/s "
                  f"({sink.count} requests to the sink in {seconds:.2f} s), peak RSS {rss / 1024:.1f} MiB, exit {status}")


if __name__ == "__main__":
    sys.exit(main())
