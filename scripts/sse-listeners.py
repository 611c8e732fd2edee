#!/usr/bin/env python3
"""Open dashboard pages as streams (scripts/bench-dashboard.sh with POLLERS=sse): N connections to
GET /dashboard/events with a session cookie, read for a while, then report how many version events
arrived. One asyncio thread for all of them, so the listeners cost the shared cores little; the
pages' refetches are wrk's (scripts/wrk-pages.lua).

    scripts/sse-listeners.py --port 18081 --cookie wameter_session=… --streams 200 --seconds 18
"""
import argparse
import asyncio


async def listen(port, cookie, seconds, counts, index):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /dashboard/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
        .encode())
    await writer.drain()
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    buffered = b""
    try:
        while loop.time() < end:
            chunk = await asyncio.wait_for(reader.read(65536), timeout=max(0.01, end - loop.time()))
            if not chunk:
                break
            buffered += chunk
            # Whole events only (a chunk may end inside one).
            *events, buffered = buffered.split(b"\n\n")
            # (In HTTP/1.1 chunked framing, an event may follow its chunk's size line.)
            counts[index] += sum(1 for event in events if b"event: version" in event)
    except asyncio.TimeoutError:
        pass
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=18)
    args = parser.parse_args()
    counts = [0] * args.streams
    await asyncio.gather(*(listen(args.port, args.cookie, args.seconds, counts, i) for i in range(args.streams)))
    opened = sum(1 for c in counts if c > 0)
    print(f"   streams: {opened} of {args.streams} open, {sum(counts)} version events "
          f"({sum(counts) / max(1, opened) / args.seconds:.1f} per stream per second)")


asyncio.run(main())
