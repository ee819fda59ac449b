"""An MCP session against /mcp, driven by the official Python MCP SDK.

Starts the tasktalk binary on a free port with a fresh SQLite database, signs
up two users, and checks: initialize, tools/list, every tool through
tools/call, a missing task, another user's task, and /mcp without a token or
with a forged one.

Usage: TASKTALK_BIN=path/to/tasktalk python tests/python/test_mcp.py   (needs `pip install mcp`)
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

BINARY = os.environ.get("TASKTALK_BIN") or os.path.join(os.path.dirname(__file__), "../../target/debug/tasktalk")


def start_server(folder):
    env = dict(os.environ, PORT="0", BIND="127.0.0.1", DATABASE_URL=f"sqlite://{folder}/mcp.db", RUST_LOG="warn")
    server = subprocess.Popen([BINARY], env=env, stdout=subprocess.PIPE, text=True)
    for line in server.stdout:
        match = re.search(r"running at (http://\S+)", line)
        if match:
            return server, match.group(1)
    raise RuntimeError("tasktalk did not start")


def http(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("content-type", "application/json")
    request.add_header("accept", "application/json, text/event-stream")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def sign_up(base, email):
    status, _, body = http("POST", f"{base}/api/auth/sign-up/email", {"email": email, "password": "mcp test password"})
    assert status == 200, body
    status, _, token = http("GET", f"{base}/api/auth/token", token=body["token"])
    assert status == 200, token
    return token["token"]


async def session_checks(base, alice, bob_task):
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {alice}"}) as client:
        async with streamable_http_client(f"{base}/mcp", http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                assert init.server_info.name == "tasktalk", init
                await session.send_ping()

                tools = (await session.list_tools()).tools
                names = sorted(t.name for t in tools)
                assert names == ["add_task", "complete_task", "delete_task", "list_tasks", "update_task"], names
                add = next(t for t in tools if t.name == "add_task")
                assert add.input_schema["required"] == ["title"], add.input_schema

                added = await session.call_tool("add_task", {"title": "Buy milk", "description": "2 litres"})
                assert not added.is_error, added
                task_id = added.structured_content["task_id"]
                assert added.structured_content == {"task_id": task_id, "status": "created", "title": "Buy milk"}

                listed = await session.call_tool("list_tasks", {"status": "pending"})
                assert [t["title"] for t in listed.structured_content["tasks"]] == ["Buy milk"], listed

                updated = await session.call_tool("update_task", {"task_id": task_id, "title": "Buy oat milk"})
                assert updated.structured_content["status"] == "updated", updated
                completed = await session.call_tool("complete_task", {"task_id": task_id})
                assert completed.structured_content == {"task_id": task_id, "status": "completed", "title": "Buy oat milk"}
                done = await session.call_tool("list_tasks", {"status": "completed"})
                assert len(done.structured_content["tasks"]) == 1, done
                deleted = await session.call_tool("delete_task", {"task_id": task_id})
                assert deleted.structured_content["status"] == "deleted", deleted

                missing = await session.call_tool("complete_task", {"task_id": task_id})
                assert missing.is_error and missing.structured_content["error"]["code"] == "TASK_NOT_FOUND", missing
                invalid = await session.call_tool("add_task", {"title": ""})
                assert invalid.is_error and invalid.structured_content["error"]["code"] == "INVALID_ARGUMENT", invalid

                # Bob's task is "not found" for Alice, through every tool.
                for tool, args in [("complete_task", {}), ("update_task", {"title": "pwned"}), ("delete_task", {})]:
                    result = await session.call_tool(tool, {"task_id": bob_task, **args})
                    assert result.is_error and result.structured_content["error"]["code"] == "TASK_NOT_FOUND", (tool, result)
                mine = await session.call_tool("list_tasks", {})
                assert mine.structured_content["tasks"] == [], mine


def main():
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(folder)
        try:
            alice = sign_up(base, "alice@example.com")
            bob = sign_up(base, "bob@example.com")
            status, _, task = http("POST", f"{base}/api/tasks", {"title": "Bob's secret"}, token=bob)
            assert status == 201, task

            ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            status, headers, body = http("POST", f"{base}/mcp", ping)
            assert status == 401 and "Bearer" in headers.get("www-authenticate", ""), (status, headers)
            status, _, _ = http("POST", f"{base}/mcp", ping, token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged")
            assert status == 401, status

            asyncio.run(session_checks(base, alice, task["id"]))

            status, _, after = http("GET", f"{base}/api/tasks/{task['id']}", token=bob)
            assert status == 200 and after["title"] == "Bob's secret" and not after["completed"], after
            print("MCP: initialize, tools/list, every tool, isolation and auth checks passed")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
