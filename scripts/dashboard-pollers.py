#!/usr/bin/env python3
"""Open dashboard pages, as browsers do (not a test): each poller signs in once, then asks for
/dashboard/version every second and fetches its page again when the version moved past the one of the
figures it shows (as the page's script does).

    scripts/dashboard-pollers.py --base http://127.0.0.1:18080 --token TOKEN --pages 200 \
        --path '/accounts/100000000000001?month=2026-02' --seconds 20

Prints how many polls and page renders it made, and their latencies.
"""
import argparse
import re
import http.client
import threading
import time
import urllib.parse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--path", default="/")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    stats = {"polls": 0, "pages": 0, "errors": 0, "page_seconds": []}
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def poller(index: int) -> None:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.request("POST", "/sign-in", body="token=" + urllib.parse.quote(args.token),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        answer.read()
        cookie = answer.getheader("Set-Cookie").split(";")[0]
        version = None
        time.sleep(index / args.pages)  # spread the polls over the second, as real pages are
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                connection.request("GET", "/dashboard/version", headers={"Cookie": cookie})
                now = connection.getresponse().read()
                with lock:
                    stats["polls"] += 1
                if version is None:
                    version = now
                elif now != version:
                    before = time.monotonic()
                    connection.request("GET", args.path, headers={"Cookie": cookie})
                    page = connection.getresponse().read()
                    with lock:
                        stats["pages"] += 1
                        stats["page_seconds"].append(time.monotonic() - before)
                    # As the page's script: the version of the figures received, which may be older.
                    found = re.search(rb'data-version="([0-9]+)"', page)
                    version = found.group(1) if found else now
            except Exception:
                with lock:
                    stats["errors"] += 1
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            time.sleep(max(0, 1 - (time.monotonic() - started)))

    threads = [threading.Thread(target=poller, args=(i,)) for i in range(args.pages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = sorted(stats["page_seconds"]) or [0]
    print(f"pollers: {args.pages} pages, {stats['polls']} polls, {stats['pages']} page fetches, "
          f"{stats['errors']} errors; page fetch median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
          f"p99 {seconds[int(len(seconds) * 0.99)] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
