#!/usr/bin/env python3
"""Load for bench/crowd.sh: many chat reply streams open at once.

Signs up USERS users, starts STREAMS_PER_USER conversations for each (the
first message of each is waiting for its answer), then opens every reply
stream at the same moment, as browsers do, and reads each to its `done`
event. Afterwards it reads every conversation back through the JSON API and
checks that every reply was finished and saved.

Prints one line: `streams=N done=N saved=N failed=N seconds=S` and exits
non-zero when a reply was not finished and saved. The file OPEN_MARK (if
given) exists exactly while the streams are open.

Usage: streams_load.py BASE_URL USERS STREAMS_PER_USER [OPEN_MARK]
"""
import asyncio
import json
import os
import re
import sys
import time
import urllib.parse

BASE = sys.argv[1]
USERS = int(sys.argv[2])
PER_USER = int(sys.argv[3])
OPEN_MARK = sys.argv[4] if len(sys.argv) > 4 else None
HOST = urllib.parse.urlsplit(BASE).hostname
PORT = urllib.parse.urlsplit(BASE).port
SETUP_CONCURRENCY = 16


async def request(method, path, cookie=None, body=None, content_type=None, headers=()):
    """(status, headers dict, body bytes) of one request on its own connection."""
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"host: {HOST}:{PORT}", "connection: close"]
        if cookie:
            lines.append(f"cookie: {cookie}")
        if body is not None:
            lines += [f"content-type: {content_type}", f"content-length: {len(body)}"]
        lines += list(headers)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        await writer.drain()
        status, head = await read_head(reader)
        return status, head, await reader.read()
    finally:
        writer.close()


async def read_head(reader):
    raw = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = raw.decode("latin-1").split("\r\n")
    head = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        if name:
            head.setdefault(name.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), head


def session_cookie(head):
    for value in head.get("set-cookie", []):
        pair = value.split(";", 1)[0]
        if pair.startswith("tasktalk_session="):
            return pair
    raise RuntimeError("no session cookie in the sign-up answer")


async def sign_up(i):
    body = json.dumps({"email": f"stream{i}@example.com", "password": "stream password 1"}).encode()
    status, head, _ = await request(
        "POST", "/api/auth/sign-up/email", body=body, content_type="application/json"
    )
    if status != 200:
        raise RuntimeError(f"sign-up answered {status}")
    return session_cookie(head)


async def start_conversation(cookie, n):
    """(conversation id, reply stream path) of a new conversation."""
    body = urllib.parse.urlencode({"message": f"Hello, this is conversation {n}"}).encode()
    status, head, _ = await request(
        "POST", "/chat", cookie, body, "application/x-www-form-urlencoded", [f"origin: {BASE}"]
    )
    if status != 303:
        raise RuntimeError(f"starting a conversation answered {status}")
    page = head["location"][0]
    status, _, html = await request("GET", page, cookie)
    found = re.search(rb'sse-connect="([^"]+)"', html)
    if status != 200 or not found:
        raise RuntimeError(f"the conversation page answered {status} without a reply stream")
    return int(page.rsplit("/", 1)[1]), found.group(1).decode()


async def follow(cookie, path, opened):
    """True when the stream ended with its `done` event."""
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nhost: {HOST}:{PORT}\r\ncookie: {cookie}\r\n"
            "accept: text/event-stream\r\nconnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        opened.release()
        status, _ = await read_head(reader)
        if status != 200:
            return False
        seen = b""
        while chunk := await reader.read(65536):
            seen = (seen + chunk)[-4096:]
            if b"event: done" in seen:
                return True
        return False
    except (ConnectionError, asyncio.IncompleteReadError):
        return False
    finally:
        writer.close()


async def saved(cookie, conversation_id):
    status, _, body = await request("GET", f"/api/conversations/{conversation_id}/messages", cookie)
    if status != 200:
        return False
    last = json.loads(body)["messages"][-1]
    return last["role"] == "assistant" and last["status"] == "done" and "word" in last["content"]


async def bounded(limit, jobs):
    gate = asyncio.Semaphore(limit)

    async def one(job):
        async with gate:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs))


async def main():
    cookies = await bounded(SETUP_CONCURRENCY, [sign_up(i) for i in range(USERS)])
    pairs = [(cookie, n) for cookie in cookies for n in range(PER_USER)]
    streams = await bounded(SETUP_CONCURRENCY, [start_conversation(c, n) for c, n in pairs])
    opened = asyncio.Semaphore(0)
    if OPEN_MARK:
        open(OPEN_MARK, "w").close()
    started = time.monotonic()
    tasks = [
        asyncio.create_task(follow(cookie, path, opened))
        for (cookie, _), (_, path) in zip(pairs, streams)
    ]
    for _ in tasks:
        await opened.acquire()
    print(f"all {len(tasks)} streams opened in {time.monotonic() - started:.1f} s", file=sys.stderr)
    done = await asyncio.gather(*tasks)
    seconds = time.monotonic() - started
    if OPEN_MARK:
        os.remove(OPEN_MARK)
    checks = await bounded(
        SETUP_CONCURRENCY,
        [saved(cookie, cid) for (cookie, _), (cid, _) in zip(pairs, streams)],
    )
    failed = sum(1 for d, s in zip(done, checks) if not (d and s))
    print(
        f"streams={len(tasks)} done={sum(done)} saved={sum(checks)} "
        f"failed={failed} seconds={seconds:.1f}"
    )
    sys.exit(1 if failed else 0)


asyncio.run(main())
