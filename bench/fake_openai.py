#!/usr/bin/env python3
"""A slow OpenAI-compatible chat server for load tests on loopback.

POST /v1/chat/completions answers with a streamed reply (Chat Completions
SSE chunks, then `data: [DONE]`) of PIECES pieces, one every DELAY seconds,
so replies are in flight when a server is restarted.

Usage: fake_openai.py PORT [PIECES (default 8)] [DELAY seconds (default 0.25)]
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
PIECES = int(sys.argv[2]) if len(sys.argv) > 2 else 8
DELAY = float(sys.argv[3]) if len(sys.argv) > 3 else 0.25


def chunk(delta, finish=None):
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "bench",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        try:
            self.send(chunk({"role": "assistant", "content": ""}))
            for i in range(PIECES):
                time.sleep(DELAY)
                self.send(chunk({"content": f"word{i} "}))
            self.send(chunk({}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def send(self, value):
        self.wfile.write(b"data: " + json.dumps(value).encode() + b"\n\n")
        self.wfile.flush()


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
