#!/usr/bin/env python3
"""Hostile-input fuzzing of a real wameter (not a unit test: it drives the built binary).

    scripts/fuzz-webhooks.py [--bodies N] [--seed S] [--concurrency C] [--binary PATH] [--keep DIR]

Takes realistic bodies from `wameter simulate`, mutates them the way an attacker or a buggy upstream
would (timestamps at and past the limits, NUL and other control characters in ids, both Unicode
forms of one id, non-ASCII labels, wrong types, deep nesting, huge arrays, bad money, truncated and
flipped bytes), signs each with the app secret, and:

1. POSTs every body to a `wameter serve` it starts on loopback (a fresh SQLite database): each
   answer must be 200, 400 or 413, and the server must still be running at the end;
2. ingests the same bodies with `wameter ingest` into a second database: the command may report
   bad lines (exit 1) but must not crash;
3. checks that both ledgers equal what `wameter rebuild` recomputes from their archives, table by
   table, and that the two ledgers equal each other (the server and the CLI accept the same bodies).

Exits 0 when every check holds, 1 otherwise, printing each failure with the body that caused it.
CI runs a short pass (.ci/run); before a release run a long one, e.g. `--bodies 200000`.
Only loopback is used; every loop is bounded by --bodies.
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

SECRET = "fuzz-secret"
API_TOKEN = "fuzz-api-token-0123456789"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TIMESTAMPS = [
    "0", "-1", "1230767999", "1230768000", "4102444799", "4102444800", "7000000000000",
    "-9223372036854775808", "9223372036854775807", "99999999999999999999", "1e13", "1.5e9", "", " 1700000000",
]
BAD_STRINGS = [
    "z\u0000q", "\u0000", "a\u0001b", "acct.\u00e9", "acct.e\u0301", "\u202eevil", "a b", "", "x" * 300,
    "\ud7ff", "emoji\U0001F600", "a/b", "..", "%2F",
]
BAD_AMOUNTS = ["12abc", "-5", "1e127", "NaN", "", ".5", "1.", "9" * 40, "0.00000000001", "-0"]
WRONG_TYPES = [None, 0, -1, 1.5, True, [], {}, "", [1, [2, [3]]], {"a": {"b": {}}}]


def mutate(body: dict, rng: random.Random) -> bytes:
    """One mutation of a parsed body, serialised; sometimes a byte-level change on top."""
    kind = rng.randrange(12)
    paths = list(walk(body))
    if kind == 0 and paths:  # a timestamp at or past the limits
        stamp_paths = [p for p in paths if p[-1] in ("timestamp", "time", "tier_update_time", "expiration_timestamp")]
        if stamp_paths:
            value = rng.choice(TIMESTAMPS)
            put(body, rng.choice(stamp_paths), value if rng.random() < 0.5 else number_or_text(value))
    elif kind == 1 and paths:  # a hostile string in an id or a label
        key_paths = [p for p in paths if p[-1] in (
            "id", "recipient_id", "wa_id", "from", "phone_number_id", "category", "type", "status",
            "pricing_model", "country_code", "recipient_participant_id", "field", "origin")]
        if key_paths:
            put(body, rng.choice(key_paths), rng.choice(BAD_STRINGS))
    elif kind == 2 and paths:  # a wrong type anywhere
        put(body, rng.choice(paths), rng.choice(WRONG_TYPES))
    elif kind == 3:  # bad money
        for status in statuses(body):
            status.setdefault("pricing", {"category": "marketing"})["cost"] = {
                "amount": rng.choice(BAD_AMOUNTS) if rng.random() < 0.7 else rng.choice([-5, 1e127, 12.5]),
                "currency": rng.choice(["USD", "usd", "US", "\u00e9ur", ""]),
            }
    elif kind == 4:  # deep nesting
        depth = rng.choice([10, 127, 128, 129, 200, 5000])
        body[rng.choice(["entry", "deep", "object"])] = json.loads("[" * depth + "]" * depth) if depth < 1000 else None
        if depth >= 1000:
            return (b'{"object":"whatsapp_business_account","entry":' + b"[" * depth + b"]" * depth + b"}")
    elif kind == 5:  # a huge array of statuses (up to the 3 MB limit and past it)
        found = statuses(body)
        if found:
            value = first_value(body)
            if value is not None:
                count = rng.choice([200, 1000, 1000, 30000]) if rng.random() < 0.3 else 100
                value["statuses"] = [dict(found[0], id=f"wamid.big{i}") for i in range(count)]
    elif kind == 6:  # one id in both Unicode forms across two statuses of one body
        found = statuses(body)
        if found:
            found[0]["id"] = "wamid.caf\u00e9"
            value = first_value(body)
            if value is not None:
                value.setdefault("statuses", []).append(dict(found[0], id="wamid.cafe\u0301"))
    elif kind == 7:  # missing required fields
        if paths:
            drop(body, rng.choice(paths))
    data = json.dumps(body, ensure_ascii=rng.random() < 0.8).encode()
    if kind >= 8:  # byte level: truncate, flip, insert a NUL byte, duplicate a slice
        data = bytearray(data)
        op = rng.randrange(4)
        if op == 0:
            del data[rng.randrange(len(data)):]
        elif op == 1:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op == 2:
            data.insert(rng.randrange(len(data)), 0)
        else:
            i = rng.randrange(len(data))
            data[i:i] = data[max(0, i - 20):i]
        data = bytes(data)
    return data


def number_or_text(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


def walk(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield path + (index,)
            yield from walk(value, path + (index,))


def put(node, path, value):
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def drop(node, path):
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]


def first_value(body):
    try:
        return body["entry"][0]["changes"][0]["value"]
    except (KeyError, IndexError, TypeError):
        return None


def statuses(body):
    value = first_value(body)
    found = value.get("statuses") if isinstance(value, dict) else None
    return found if isinstance(found, list) and found and isinstance(found[0], dict) else []


def signature(data: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), data, hashlib.sha256).hexdigest()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ledger_tables(path: str) -> dict:
    """Every derived table, rows sorted, without rowids (a rebuild may number rows differently)."""
    tables = {}
    with sqlite3.connect(path) as db:
        for table in (
            "messages", "conversations", "inbound_messages", "day_counters", "half_hour_counters", "tier_updates",
            "accounts", "calls", "echo_messages",
        ):
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] != "id" or table == "accounts"]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            tables[table] = sorted(rows, key=repr)
    return tables


def compare(name: str, left: dict, right: dict, failures: list):
    for table in left:
        if left[table] != right[table]:
            left_rows, right_rows = set(left[table]), set(right[table])
            only_left = sorted(left_rows - right_rows, key=repr)[:3]
            only_right = sorted(right_rows - left_rows, key=repr)[:3]
            failures.append(
                f"{name}: table {table} differs ({len(left[table])} vs {len(right[table])} rows); "
                f"e.g. {only_left} vs {only_right}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bodies", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "wameter"))
    parser.add_argument("--keep", help="keep the databases and the body file in this folder")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = args.keep or tempfile.mkdtemp(prefix="wameter-fuzz-")
    os.makedirs(work, exist_ok=True)
    live_db, cli_db = os.path.join(work, "live.sqlite"), os.path.join(work, "cli.sqlite")
    for path in (live_db, cli_db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    seeds_file = os.path.join(work, "seeds.jsonl")
    subprocess.run(
        [args.binary, "simulate", "--out", seeds_file, "--count", str(max(50, args.bodies // 4)),
         "--seed", str(args.seed), "--start", "2025-06-20", "--days", "30"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(seeds_file, "rb") as handle:
        seeds = [json.loads(line) for line in handle if line.strip()]
    bodies = []
    for _ in range(args.bodies):
        seed = json.loads(json.dumps(rng.choice(seeds)))
        bodies.append(json.dumps(seed).encode() if rng.random() < 0.25 else mutate(seed, rng))

    port = free_port()
    env = dict(os.environ, WAMETER_APP_SECRET=SECRET, WAMETER_VERIFY_TOKEN="fuzz-verify", WAMETER_API_TOKEN=API_TOKEN)
    server = subprocess.Popen(
        [args.binary, "serve", "--database", live_db, "--port", str(port), "--log-level", "critical"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    failures = []
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    print("the server did not start:", server.stderr.read().decode()[-2000:])
                    return 1
                time.sleep(0.1)

        statuses_seen = {}
        lock = threading.Lock()
        queue = list(enumerate(bodies))

        def worker():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                with lock:
                    if not queue:
                        break
                    index, data = queue.pop()
                try:
                    connection.request("POST", "/webhook", body=data, headers={
                        "Content-Type": "application/json", "X-Hub-Signature-256": signature(data)})
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    status = f"connection error: {error}"
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    statuses_seen.setdefault(status, []).append(index)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        started = time.time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - started
        summary = ", ".join(f"{status}: {len(indexes)}" for status, indexes in sorted(statuses_seen.items(), key=str))
        print(f"POST /webhook: {len(bodies)} bodies in {elapsed:.1f} s ({summary})")
        for status, indexes in statuses_seen.items():
            if status not in (200, 400, 413):
                sample = bodies[indexes[0]][:300]
                failures.append(f"{len(indexes)} bodies answered {status}; e.g. {sample!r}")
        if server.poll() is not None:
            failures.append(f"the server died (exit {server.returncode}): {server.stderr.read().decode()[-2000:]}")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                failures.append("the server did not stop within 30 s of SIGTERM")

    body_file = os.path.join(work, "bodies.jsonl")
    with open(body_file, "wb") as handle:
        for data in bodies:
            # The server refuses bodies over Meta's 3 MB before reading them; the file keeps to the
            # same bodies. JSONL holds one body per line: a raw newline cannot be in a line.
            if len(data) <= 3 * 1024 * 1024:
                handle.write(data.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n")
    ingest = subprocess.run(
        [args.binary, "ingest", body_file, "--database", cli_db, "--quiet", "--batch-size", "97"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    refused = ingest.stderr.decode().count("\n")
    print(f"wameter ingest: exit {ingest.returncode}, {refused} lines reported")
    if ingest.returncode not in (0, 1):
        failures.append(f"wameter ingest crashed (exit {ingest.returncode}): {ingest.stderr.decode()[-2000:]}")

    live_before, cli_before = ledger_tables(live_db), ledger_tables(cli_db)
    for path, before, name in ((live_db, live_before, "server"), (cli_db, cli_before, "ingest")):
        rebuild = subprocess.run([args.binary, "rebuild", "--database", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if rebuild.returncode != 0:
            failures.append(f"rebuild of the {name} database failed: {rebuild.stderr.decode()[-2000:]}")
            continue
        compare(f"{name} ledger vs its rebuild", before, ledger_tables(path), failures)
    compare("server ledger vs ingest ledger", live_before, cli_before, failures)
    messages = len(live_before["messages"])
    print(f"ledgers: {messages} messages, {len(live_before['day_counters'])} counter cells; rebuilds compared")

    for failure in failures:
        print("FAIL:", failure)
    print(f"fuzz: {len(bodies)} bodies, seed {args.seed}: " + ("ok" if not failures else f"{len(failures)} failures"))
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
