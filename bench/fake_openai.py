#!/usr/bin/env python3
"""A slow OpenAI-compatible chat server for load tests on loopback.

POST /v1/chat/completions answers with a streamed reply (Chat Completions
SSE chunks, then `data: [DONE]`) of PIECES pieces, one every DELAY seconds,
so replies are in flight when a server is restarted or a crowd is measured.
One asyncio loop holds every reply, so thousands can be open at once.

Usage: fake_openai.py PORT [PIECES (default 8)] [DELAY seconds (default 0.25)]
"""
import asyncio
import json
import sys
import time

PORT = int(sys.argv[1])
PIECES = int(sys.argv[2]) if len(sys.argv) > 2 else 8
DELAY = float(sys.argv[3]) if len(sys.argv) > 3 else 0.25


def chunk(delta, finish=None):
    value = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "bench",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(value).encode() + b"\n\n"


async def read_request(reader):
    """Reads one request's head and body; False when the client left."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    await reader.readexactly(length)


async def serve(reader, writer):
    try:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"cache-control: no-cache\r\nconnection: close\r\n\r\n"
        )
        writer.write(chunk({"role": "assistant", "content": ""}))
        await writer.drain()
        for i in range(PIECES):
            await asyncio.sleep(DELAY)
            writer.write(chunk({"content": f"word{i} "}))
            await writer.drain()
        writer.write(chunk({}, "stop"))
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT, backlog=4096)
    async with server:
        await server.serve_forever()


asyncio.run(main())
