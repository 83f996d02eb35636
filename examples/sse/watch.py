#!/usr/bin/env python3
"""Follows configd changes over Server-Sent Events (GET /v1/watch), with nothing but the standard library.

usage: CONFIGD_TOKEN=cfd_... python3 watch.py http://127.0.0.1:8080 production services.payment [since]
Prints one JSON change per line (a transaction's lines together, each naming its txn); after a cut it reconnects
with Last-Event-ID and misses nothing.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def watch(base, env, prefix, token, since=None):
    last_id = since
    while True:
        query = urllib.parse.urlencode({"env": env, "prefix": prefix})
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        try:
            request = urllib.request.Request(f"{base}/v1/watch?{query}", headers=headers)
            with urllib.request.urlopen(request, timeout=60) as stream:
                event = {}
                for raw in stream:
                    line = raw.decode("utf-8").rstrip("\r\n")
                    if not line:                      # a blank line ends an event
                        if event.get("event") == "change":
                            last_id = int(event["id"])
                            yield [json.loads(event["data"])]
                        elif event.get("event") == "txn":      # a transaction: all its changes, one unit
                            last_id = int(event["id"])
                            yield json.loads(event["data"])["changes"]
                        elif event.get("event") == "error":
                            raise SystemExit("configd ended the stream: " + event["data"])
                        event = {}
                    elif not line.startswith(":"):     # ':' lines are heartbeats
                        field, _, value = line.partition(": ")
                        event[field] = value
        except urllib.error.HTTPError as e:            # 4xx: refused as asked (403 no read, 410 take a snapshot)
            if 400 <= e.code < 500:
                raise SystemExit(f"refused ({e.code}): {e.read().decode()}")
        except OSError:
            pass                                       # cut or timed out: resume from last_id
        time.sleep(1)


if __name__ == "__main__":
    base, env, prefix = sys.argv[1:4]
    since = int(sys.argv[4]) if len(sys.argv) > 4 else None
    for changes in watch(base, env, prefix, os.environ["CONFIGD_TOKEN"], since):
        for change in changes:
            print(json.dumps({"key": change["key"], "value": change["value"], "revision": change["revision"],
                              "txn": (change.get("txn") or {}).get("id")}))
        sys.stdout.flush()                             # a transaction's lines together
