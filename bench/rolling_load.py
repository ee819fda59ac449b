#!/usr/bin/env python3
"""Load for bench/rolling-restart.sh: users writing tasks and chatting
through two replicas while they are restarted, then a check that every
acknowledged write is there.

Each request goes to the next replica in turn, like a round-robin load
balancer; a refused connection (a replica that is down) is retried on the
other one, as a load balancer would. Anything else that is not a success is
a client error.

Usage: rolling_load.py SECONDS BASE_URL BASE_URL [WORKERS (default 16)]
"""
import collections
import http.client
import json
import sys
import threading
import time
import urllib.parse

SECONDS = float(sys.argv[1])
BASES = [sys.argv[2], sys.argv[3]]
WORKERS = int(sys.argv[4]) if len(sys.argv) > 4 else 16
stats = collections.Counter()
lock = threading.Lock()


def count(key, n=1):
    with lock:
        stats[key] += n


def request(base, method, path, token=None, body=None, timeout=60):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        res = conn.getresponse()
        data = res.read()
        return res.status, (json.loads(data) if data else None)
    finally:
        conn.close()


def balanced(n, method, path, token=None, body=None):
    """(status, body) from the replica whose turn it is, or the other one
    when that one refuses the connection; None when both refuse."""
    for attempt in range(2):
        base = BASES[(n + attempt) % 2]
        try:
            return request(base, method, path, token, body)
        except ConnectionRefusedError:
            count("refused, sent to the other replica")
    return None


def sign_up(i):
    body = {"email": f"rolling{i}-{int(time.time() * 1000)}@example.com", "password": "rolling password 1"}
    for _ in range(50):
        answer = balanced(i, "POST", "/api/auth/sign-up/email", body=body)
        if answer and answer[0] == 200:
            return answer[1]["token"]
        time.sleep(0.2)
    raise SystemExit("could not sign up")


def worker(i, token, acked, deadline):
    n = i
    while time.time() < deadline:
        n += 1
        kind = "chat" if n % 5 == 0 else "task"
        if kind == "chat":
            count("chat turns sent")
        try:
            if kind == "chat":
                answer = balanced(n, "POST", "/api/chat", token, {"message": f"hello {n}"})
            else:
                answer = balanced(n, "POST", "/api/tasks", token, {"title": f"task {i}-{n}"})
        except (OSError, http.client.HTTPException) as e:
            count(f"client error: {kind} {type(e).__name__}")
            continue
        if answer is None:
            count("client error: both replicas refused")
            continue
        status, body = answer
        if kind == "task" and status == 201:
            acked.append(body["id"])
            count("task writes acknowledged")
        elif kind == "chat" and status == 200:
            count("chat turns answered")
        else:
            code = (body or {}).get("error", {}).get("code", "")
            count(f"client error: {kind} HTTP {status} {code}".rstrip())


def main():
    tokens = [sign_up(i) for i in range(WORKERS)]
    acked = [[] for _ in range(WORKERS)]
    deadline = time.time() + SECONDS
    threads = [threading.Thread(target=worker, args=(i, tokens[i], acked[i], deadline)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lost = 0
    for i, token in enumerate(tokens):
        answer = balanced(i, "GET", "/api/tasks?status=all", token)
        present = {t["id"] for t in answer[1]} if answer and answer[0] == 200 else set()
        lost += len([t for t in acked[i] if t not in present])
    errors = sum(v for k, v in stats.items() if k.startswith("client error"))
    for key in sorted(stats):
        print(f"  {key}: {stats[key]}")
    print(f"acknowledged writes lost: {lost}")
    print(f"client errors: {errors}")


main()
