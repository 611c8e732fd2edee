#!/usr/bin/env python3
"""Writes a JSONL file of Cloud API webhook bodies (one body per line, as Meta POSTs them).

Per-message-pricing traffic for a month: each message gets `sent`, then usually `delivered` and
`read` (sometimes `read` only, sometimes `failed`, sometimes nothing more), with pricing on `sent`
and `delivered`, recipients across many markets, several accounts and phone numbers. Statuses of
different messages interleave and some bodies are re-sent, as Meta's retries do. Deterministic for
a given --seed. Used by the README's demo and by scripts/bench-ingest.sh.

Usage: generate-webhooks.py --events 1000000 --out bench.jsonl [--month 2026-02] [--seed 1] [--id-offset N]

--id-offset shifts message ids, so that a second file adds new messages to a ledger instead of
re-sending the first file's.
"""
import argparse
import calendar
import json
import random
import sys
from datetime import datetime, timezone

RECIPIENTS = [  # (prefix, digits after it)
    ("91", 10), ("55", 11), ("1", 10), ("44", 10), ("49", 11), ("62", 11), ("52", 10), ("234", 10),
    ("254", 9), ("63", 10), ("57", 10), ("1809", 7), ("61", 9), ("351", 9), ("380", 9),
]
CATEGORIES = [("marketing", 45), ("utility", 30), ("authentication", 10), ("service", 15)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000, help="status events to write (about)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--month", default="2026-02")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--id-offset", type=int, default=0, help="added to every message number")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    year, month = map(int, args.month.split("-"))
    start = int(datetime(year, month, 1, tzinfo=timezone.utc).timestamp())
    span = calendar.monthrange(year, month)[1] * 86400
    accounts = [str(100000000000001 + i) for i in range(args.accounts)]
    categories = [c for c, w in CATEGORIES for _ in range(w)]

    def body(account, phone, statuses):
        return json.dumps({
            "object": "whatsapp_business_account",
            "entry": [{"id": account, "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "1555" + phone[-7:], "phone_number_id": phone},
                "statuses": statuses}}]}]}, separators=(",", ":"))

    expected_messages = max(1, args.events / 2.5)
    written = 0
    pending = []  # (time, line) of later statuses, flushed in time order to interleave messages
    n = 0
    with open(args.out, "w") as out:
        while written < args.events:
            n += 1
            account = accounts[n % len(accounts)]
            phone = str(106540352242900 + (n % len(accounts)) * 10 + n % 2)
            prefix, digits = rng.choice(RECIPIENTS)
            recipient = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
            category = rng.choice(categories)
            kind = "free_customer_service" if category == "service" or (category == "utility" and rng.random() < 0.3) else "regular"
            pricing = {"billable": kind == "regular", "pricing_model": "PMP", "type": kind, "category": category}
            wamid = "wamid.%s%012d" % (account[-3:], n + args.id_offset)
            # Webhooks arrive in near real time: send times advance through the month, with jitter.
            sent = start + int(n / expected_messages * span) + rng.randint(0, 120)
            base = {"id": wamid, "recipient_id": recipient}
            events = [(sent, dict(base, status="sent", timestamp=str(sent), pricing=pricing))]
            fate = rng.random()
            if fate < 0.80:
                delivered = sent + rng.randint(1, 120)
                events.append((delivered, dict(base, status="delivered", timestamp=str(delivered), pricing=pricing)))
                if rng.random() < 0.7:
                    read = delivered + rng.randint(5, 3600)
                    events.append((read, dict(base, status="read", timestamp=str(read))))
            elif fate < 0.90:
                read = sent + rng.randint(1, 600)
                events.append((read, dict(base, status="read", timestamp=str(read), pricing=pricing)))
            elif fate < 0.96:
                failed = sent + rng.randint(1, 30)
                events.append((failed, dict(base, status="failed", timestamp=str(failed),
                                            errors=[{"code": 131026, "title": "Message undeliverable"}])))
            for t, status in events:
                line = body(account, phone, [status])
                pending.append((t + rng.randint(0, 300), line))
                if rng.random() < 0.01:  # a retry of the same body
                    pending.append((t + rng.randint(300, 900), line))
                written += 1
            if len(pending) > 2000:
                rng.shuffle(pending)
                for _, line in pending[:1000]:
                    out.write(line + "\n")
                del pending[:1000]
        rng.shuffle(pending)
        for _, line in pending:
            out.write(line + "\n")
    print("wrote %d status events (%d messages) to %s" % (written, n, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
