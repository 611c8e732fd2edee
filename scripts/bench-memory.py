#!/usr/bin/env python3
"""Memory of `wameter serve` under the slow-request and large-body attacks (a benchmark, not a test).

    scripts/bench-memory.py [--binary .build/release/wameter] [--slow 150] [--large 10]

Starts the server on loopback with a fresh SQLite database and reads its resident size (VmRSS) from
/proc while:
1. `--slow` connections each send the head of a 3 MB POST and then all but the last byte of the body,
   slowly; once unsigned (no X-Hub-Signature-256) and once with a well-formed but wrong signature;
   it reports the peak RSS and how many of the connections the server still holds after 30 s;
2. `--large` correctly signed bodies of about 2.9 MB (34,500 statuses each) are posted one after
   another; it reports the peak RSS and the RSS 3 s after the last one was answered.
Figures go to docs/benchmarks.md with the command that produced them.
"""
import argparse
import hashlib
import hmac
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import http.client

SECRET = "bench-secret"
STATUSES = 34_500


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slow_attack(port: int, count: int, signed: bool, pid: int) -> str:
    size = 3 * 1024 * 1024 - 16
    head = f"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n"
    if signed:
        head += "X-Hub-Signature-256: sha256=" + "ab" * 32 + "\r\n"
    head = (head + "\r\n").encode()
    chunk = b" " * 65536
    sockets = []
    sampler = Sampler(pid)
    sampler.start()
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.setblocking(False)
        try:
            connection.send(head)
        except OSError:
            pass
        sockets.append([connection, size - 1])
    # Push all but the last byte of every body, as fast as the server takes them, for 10 s.
    deadline = time.time() + 10
    while time.time() < deadline:
        progressed = False
        for entry in sockets:
            connection, remaining = entry
            if remaining <= 0:
                continue
            try:
                sent = connection.send(chunk[: min(len(chunk), remaining)])
                entry[1] -= sent
                progressed = True
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                entry[1] = 0
        if not progressed:
            time.sleep(0.01)
    time.sleep(20)  # then stall, holding the last byte, until 30 s have passed

    def is_open(connection):
        # Drain any answer the server sent; the connection is open if reading would block.
        try:
            while True:
                if connection.recv(65536) == b"":
                    return False
        except BlockingIOError:
            return True
        except OSError:
            return False

    still_open = sum(1 for connection, _ in sockets if is_open(connection))
    sampler.running = False
    for connection, _ in sockets:
        connection.close()
    time.sleep(1)
    kind = "signed-looking" if signed else "unsigned"
    return (f"{count} slow {kind} 3 MB bodies: peak RSS {sampler.peak:.0f} MB, "
            f"{still_open} of {count} connections still open after 30 s, RSS after {rss_mb(pid):.0f} MB")


def large_bodies(port: int, count: int, pid: int) -> str:
    sampler = Sampler(pid)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    answers = {}
    for n in range(count):
        # Short statuses, as many as fit in 2.9 MB: the most events a body under Meta's limit holds.
        statuses = [
            {"id": f"w{n}.{i:05d}", "status": "delivered", "timestamp": str(1752577200 + i), "recipient_id": "91"}
            for i in range(STATUSES)
        ]
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {
                "display_phone_number": "15550000000", "phone_number_id": "106540352242922"},
                "statuses": statuses}}]}]}, separators=(",", ":")).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        connection.request("POST", "/webhook", body=body, headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": signature})
        response = connection.getresponse()
        response.read()
        answers[response.status] = answers.get(response.status, 0) + 1
    time.sleep(3)
    sampler.running = False
    return (f"{count} signed bodies of {len(body) / 1e6:.2f} MB ({STATUSES:,} statuses each), answers {answers}: "
            f"peak RSS {sampler.peak:.0f} MB, RSS 3 s after {rss_mb(pid):.0f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/release/wameter")
    parser.add_argument("--slow", type=int, default=150)
    parser.add_argument("--large", type=int, default=10)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="wameter-memory-")
    port = free_port()
    env = dict(os.environ, WAMETER_APP_SECRET=SECRET, WAMETER_VERIFY_TOKEN="v", WAMETER_API_TOKEN="bench-api-token-0123456789")
    server = subprocess.Popen(
        [args.binary, "serve", "--database", os.path.join(work, "m.sqlite"), "--port", str(port), "--log-level", "critical"],
        env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        print(f"{args.binary}: baseline RSS {rss_mb(server.pid):.0f} MB")
        print(slow_attack(port, args.slow, signed=False, pid=server.pid))
        print(slow_attack(port, args.slow, signed=True, pid=server.pid))
        print(large_bodies(port, args.large, server.pid))
        print("server alive" if server.poll() is None else f"server died: {server.returncode}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
