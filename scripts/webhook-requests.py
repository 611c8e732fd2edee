#!/usr/bin/env python3
"""Writes signed webhook bodies for scripts/wrk-webhooks.lua: one per line,
"X-Hub-Signature-256 value<TAB>body".

By default single-status bodies (one status each, as Meta usually sends them); with --from, the
bodies of a JSONL file as they are (e.g. `wameter simulate --out`: realistic bodies, some batched,
with inbound messages, redeliveries and groups), the first --count of them."""
import argparse, hashlib, hmac, json

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=100000)
parser.add_argument("--secret", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--from", dest="source", help="JSONL file of bodies to sign instead")
args = parser.parse_args()


def single_status_bodies():
    for n in range(args.count):
        status = ["sent", "delivered", "read"][n % 3]
        message = n // 3
        yield json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "100000000000001", "changes": [{
            "field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": "106540352242922"},
            "statuses": [{"id": "wamid.bench%012d" % message, "status": status,
                          "timestamp": str(1770000000 + message), "recipient_id": "919876543210",
                          "pricing": {"billable": True, "pricing_model": "PMP", "type": "regular",
                                      "category": "utility"}}]}}]}]}, separators=(",", ":"))


def file_bodies():
    with open(args.source) as source:
        for n, line in enumerate(source):
            if n >= args.count:
                break
            line = line.rstrip("\n")
            if line:
                yield line


with open(args.out, "w") as out:
    for body in (file_bodies() if args.source else single_status_bodies()):
        signature = hmac.new(args.secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        out.write("sha256=%s\t%s\n" % (signature, body))
