"""ChatKit's server protocol at /chatkit, checked with the official Python SDK
(openai-chatkit 1.6.5): its request models build every request, and its own
types, in strict mode, validate every JSON answer and every SSE event.

Starts the tasktalk binary (offline assistant) on a free port with a fresh
SQLite database, signs up two users (one calls with a JWT, the other with a
session token), and checks:
- a turn's events, in the contract's order, with the task item and the text
  the offline assistant gives; the same event type sequence as the SDK's own
  in-process ChatKitServer produces for the same turn (threads.create and
  threads.add_user_message);
- threads.get_by_id, threads.list and items.list, paging with limit=1 in both
  orders; threads.update, items.feedback, threads.delete, and
  threads.retry_after_item on a finished turn (sent again, nothing new stored);
- another user's thread is "not found" through every request, and stays as it was;
- bad requests are 4xx JSON errors with `error.code` and store nothing;
- CORS for a trusted origin only.

A lenient parser ignores a misspelled field, so every answer is parsed and
dumped again the way the SDK serialises (`exclude_none`), and the dump must
equal what the server sent.

Usage: TASKTALK_BIN=path/to/tasktalk python tests/python/test_chatkit.py
(needs `pip install mcp openai-chatkit==1.6.5`: the SDK is pinned, its minor
versions may break; `mcp` because the helpers come from test_mcp)
"""

import asyncio
import json
import os
import tempfile
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    AttachmentCreateParams,
    AttachmentDeleteParams,
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    CustomTask,
    InferenceOptions,
    InputTranscribeParams,
    InputTranscribeReq,
    ItemFeedbackParams,
    ItemsFeedbackReq,
    ItemsListParams,
    ItemsListReq,
    Page,
    StreamOptions,
    TaskItem,
    Thread,
    ThreadAddUserMessageParams,
    ThreadCreateParams,
    ThreadCustomActionParams,
    ThreadDeleteParams,
    ThreadGetByIdParams,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadListParams,
    ThreadMetadata,
    ThreadRetryAfterItemParams,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsDeleteReq,
    ThreadsGetByIdReq,
    ThreadsListReq,
    ThreadsRetryAfterItemReq,
    ThreadStreamEvent,
    ThreadsUpdateReq,
    ThreadUpdateParams,
    UserMessageInput,
    UserMessageTagContent,
    UserMessageTextContent,
)
from chatkit.actions import Action
from pydantic import TypeAdapter

from test_mcp import http, sign_up, start_server

EVENT = TypeAdapter(ThreadStreamEvent)
THREAD = TypeAdapter(Thread)
THREADS = TypeAdapter(Page[Thread])
ITEMS = TypeAdapter(Page[ThreadItem])
TRUSTED = "http://chat.example"
EMPTY_PAGE = {"data": [], "has_more": False}

GROCERIES = "Add a task to buy groceries"
SHOW = "Show me all my tasks"
BILLS = "Remind me to pay bills"


# ---------------------------------------------------------------- requests


def message(text, attachments=()):
    return UserMessageInput(
        content=[UserMessageTextContent(text=text)], attachments=list(attachments), inference_options=InferenceOptions()
    )


def create(text):
    return ThreadsCreateReq(params=ThreadCreateParams(input=message(text)))


def add(thread_id, text, attachments=()):
    return ThreadsAddUserMessageReq(params=ThreadAddUserMessageParams(thread_id=thread_id, input=message(text, attachments)))


def get(thread_id):
    return ThreadsGetByIdReq(params=ThreadGetByIdParams(thread_id=thread_id))


def threads(limit=None, order="desc", after=None):
    return ThreadsListReq(params=ThreadListParams(limit=limit, order=order, after=after))


def items(thread_id, limit=None, order="desc", after=None):
    return ItemsListReq(params=ItemsListParams(thread_id=thread_id, limit=limit, order=order, after=after))


def update(thread_id, title):
    return ThreadsUpdateReq(params=ThreadUpdateParams(thread_id=thread_id, title=title))


def delete(thread_id):
    return ThreadsDeleteReq(params=ThreadDeleteParams(thread_id=thread_id))


def feedback(thread_id, item_ids, kind="positive"):
    return ItemsFeedbackReq(params=ItemFeedbackParams(thread_id=thread_id, item_ids=item_ids, kind=kind))


def retry(thread_id, item_id):
    return ThreadsRetryAfterItemReq(params=ThreadRetryAfterItemParams(thread_id=thread_id, item_id=item_id))


def body_of(request):
    if isinstance(request, bytes):
        return request
    if isinstance(request, str):
        return request.encode()
    return request.model_dump_json().encode()


def post(base, request, token=None, origin=None):
    """POSTs to /chatkit; returns (status, lowercased headers, raw body)."""
    call = urllib.request.Request(f"{base}/chatkit", data=body_of(request), method="POST")
    call.add_header("content-type", "application/json")
    if token:
        call.add_header("authorization", f"Bearer {token}")
    if origin:
        call.add_header("origin", origin)
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            return response.status, lower(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, lower(error.headers), error.read()


def lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def describe(request):
    return body_of(request)[:300].decode(errors="replace")


# ---------------------------------------------------------------- strict parsing


def parse(adapter, raw, ours=True):
    """Strict SDK validation, and the SDK's re-dump must equal what was sent."""
    sent = json.loads(raw)
    parsed = adapter.validate_json(raw, strict=True)
    again = adapter.dump_python(parsed, mode="json", exclude_none=True, by_alias=True)
    same(sent, again, "$", ours)
    return parsed, sent


def same(sent, again, path, ours):
    if isinstance(sent, dict) and isinstance(again, dict):
        dropped = sorted(sent.keys() - again.keys())
        assert not dropped, f"{path}: the SDK's parser dropped {dropped} (misspelled or unknown fields) in {sent}"
        missing = sorted(again.keys() - sent.keys())
        assert not missing, f"{path}: the server left out {missing}, which the SDK serialises: {again}"
        for key, value in sent.items():
            if key == "created_at":
                assert timestamp(value, ours) == timestamp(again[key], False), (path, value, again[key])
            else:
                same(value, again[key], f"{path}.{key}", ours)
    elif isinstance(sent, list) and isinstance(again, list):
        assert len(sent) == len(again), (path, sent, again)
        for i, (a, b) in enumerate(zip(sent, again)):
            same(a, b, f"{path}[{i}]", ours)
    else:
        assert sent == again and type(sent) is type(again), f"{path}: sent {sent!r}, the SDK reads {again!r}"


def timestamp(value, utc):
    assert isinstance(value, str), value
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    if utc:
        # The contract: ISO-8601 UTC, e.g. 2026-11-25T21:40:00.123Z.
        assert value.endswith("Z") and parsed.utcoffset() == timedelta(0), f"created_at not in UTC: {value}"
    return parsed


def frames(raw, ours=True):
    """The SSE body as (parsed, sent) events: each frame exactly one `data: <json>` line."""
    text = raw.decode()
    assert text.endswith("\n\n"), f"the stream does not end with a blank line: {text[-200:]!r}"
    events = []
    for frame in text[:-2].split("\n\n"):
        assert frame.startswith("data: ") and "\n" not in frame and "\r" not in frame, f"not one data line: {frame!r}"
        events.append(parse(EVENT, frame[len("data: ") :], ours))
    return events


def answer(base, token, request, adapter):
    status, headers, raw = post(base, request, token)
    assert status == 200, (describe(request), status, raw)
    assert headers.get("content-type", "").startswith("application/json"), (describe(request), headers)
    return parse(adapter, raw)[1]


def empty_answer(base, token, request):
    status, headers, raw = post(base, request, token)
    assert status == 200 and json.loads(raw) == {}, (describe(request), status, raw)
    assert headers.get("content-type", "").startswith("application/json"), headers


def stream(base, token, request):
    status, headers, raw = post(base, request, token)
    assert status == 200, (describe(request), status, raw)
    assert headers.get("content-type", "").startswith("text/event-stream"), (describe(request), headers)
    return [sent for _, sent in frames(raw)]


def refused(base, token, request, status, codes=None):
    """A JSON error before any stream: {"error": {"code", "message"}}, code one of `codes` (None: any)."""
    got, headers, raw = post(base, request, token)
    assert got == status, f"{describe(request)}: expected {status} {codes or ''}, got {got}: {raw[:300]!r}"
    assert headers.get("content-type", "").startswith("application/json"), (describe(request), headers, raw[:200])
    error = json.loads(raw)["error"]
    assert isinstance(error["code"], str) and error["code"], (describe(request), error)
    assert codes is None or error["code"] in codes, (describe(request), error)
    assert isinstance(error["message"], str), (describe(request), error)


def not_found(base, token, request):
    refused(base, token, request, 404, {"NOT_FOUND"})


# ---------------------------------------------------------------- a turn, as the contract orders it


def labels(events):
    """Event types (with the item type for item events), runs of thread.item.updated as one."""
    out = []
    for event in events:
        label = event["type"] + (f":{event['item']['type']}" if "item" in event else "")
        if not (label == "thread.item.updated" and out and out[-1] == label):
            out.append(label)
    return out


def turn(events, thread_id=None, text=None):
    """Checks a turn's events in the contract's order; returns what it holds.

    thread_id None: threads.create (starts with thread.created); text None: a
    retry (no user message). A finished turn retried is sent again as it is
    stored, so its text may come whole in thread.item.done, with no deltas."""
    at = 0

    def next_event(kind):
        nonlocal at
        assert at < len(events), f"the stream ended, {kind} expected: {labels(events)}"
        event = events[at]
        at += 1
        assert event["type"] == kind, f"event {at - 1}: {kind} expected: {labels(events)}"
        return event

    result = {}
    if thread_id is None:
        thread = next_event("thread.created")["thread"]
        assert thread["id"].startswith("thr_") and thread["title"], thread
        assert thread["status"] == {"type": "active"} and thread["metadata"] == {}, thread
        assert thread["items"] == EMPTY_PAGE, thread
        thread_id = thread["id"]
        result["created"] = thread
    if text is not None:
        user = next_event("thread.item.done")["item"]
        assert user["type"] == "user_message" and user["id"].startswith("msg_"), user
        assert user["thread_id"] == thread_id, user
        assert user["content"] == [{"type": "input_text", "text": text}], user
        assert user["attachments"] == [] and user["inference_options"] == {}, user
        result["user"] = user
    assert next_event("stream_options") == {"type": "stream_options", "stream_options": {"allow_cancel": False}}

    tasks = []
    while at < len(events) and events[at]["type"] == "thread.item.done" and events[at]["item"]["type"] == "task":
        tasks.append(next_event("thread.item.done")["item"])
    added = next_event("thread.item.added")["item"]
    assert added["type"] == "assistant_message" and added["content"] == [], added
    assert added["id"].startswith("msg_") and added["thread_id"] == thread_id, added
    reply = added["id"][len("msg_") :]
    for i, task in enumerate(tasks):
        assert task["id"] == f"task_{reply}_{i}" and task["thread_id"] == thread_id, task
        assert task["task"]["type"] == "custom" and task["task"]["status_indicator"] == "complete", task
        assert task["task"]["icon"] == "check" and task["task"]["title"], task

    deltas = []
    while at < len(events) and events[at]["type"] == "thread.item.updated":
        event = next_event("thread.item.updated")
        update = event["update"]
        assert event["item_id"] == added["id"], event
        assert update["type"] == "assistant_message.content_part.text_delta" and update["content_index"] == 0, event
        deltas.append(update["delta"])
    assert deltas or text is None, f"no text deltas: {labels(events)}"
    done = next_event("thread.item.done")["item"]
    assert done["id"] == added["id"] and done["type"] == "assistant_message", done
    assert done["thread_id"] == thread_id, done
    [content] = done["content"]
    assert content["type"] == "output_text" and content["text"] and content["annotations"] == [], done
    assert not deltas or content["text"] == "".join(deltas), (done, deltas)

    updated = next_event("thread.updated")["thread"]
    assert updated["id"] == thread_id and updated["title"], updated
    assert at == len(events), f"events after thread.updated: {labels(events)}"
    result.update(thread_id=thread_id, tasks=tasks, reply=done, text=content["text"], thread=updated)
    result["labels"] = labels(events)
    result["ids"] = ([result["user"]["id"]] if "user" in result else []) + [t["id"] for t in tasks] + [done["id"]]
    return result


def without_time(item):
    return {k: v for k, v in item.items() if k != "created_at"}


# ---------------------------------------------------------------- the SDK's own server, for reference


class MemoryStore(Store[dict]):
    """The least Store the SDK's ChatKitServer runs on: dicts in memory."""

    def __init__(self):
        self.threads, self.items = {}, {}

    async def load_thread(self, thread_id, context):
        if thread_id not in self.threads:
            raise NotFoundError(thread_id)
        return self.threads[thread_id].model_copy(deep=True)

    async def save_thread(self, thread, context):
        self.threads[thread.id] = ThreadMetadata.model_validate(thread.model_dump(exclude={"items"}))
        self.items.setdefault(thread.id, [])

    async def load_threads(self, limit, after, order, context):
        return page(list(self.threads.values()), limit, after, order)

    async def load_thread_items(self, thread_id, after, limit, order, context):
        return page(self.items.get(thread_id, []), limit, after, order)

    async def add_thread_item(self, thread_id, item, context):
        self.items.setdefault(thread_id, []).append(item)

    async def save_item(self, thread_id, item, context):
        stored = self.items.setdefault(thread_id, [])
        if any(i.id == item.id for i in stored):
            stored[:] = [item if i.id == item.id else i for i in stored]
        else:
            stored.append(item)

    async def load_item(self, thread_id, item_id, context):
        for item in self.items.get(thread_id, []):
            if item.id == item_id:
                return item
        raise NotFoundError(item_id)

    async def delete_thread(self, thread_id, context):
        self.threads.pop(thread_id, None)
        self.items.pop(thread_id, None)

    async def delete_thread_item(self, thread_id, item_id, context):
        self.items[thread_id] = [i for i in self.items.get(thread_id, []) if i.id != item_id]

    async def save_attachment(self, attachment, context):
        raise NotImplementedError

    async def load_attachment(self, attachment_id, context):
        raise NotFoundError(attachment_id)

    async def delete_attachment(self, attachment_id, context):
        raise NotFoundError(attachment_id)


def page(records, limit, after, order):
    records = list(records) if order == "asc" else list(reversed(records))
    if after is not None:
        records = records[[r.id for r in records].index(after) + 1 :]
    data = records[:limit]
    return Page(data=data, has_more=len(records) > limit, after=data[-1].id if data else None)


class ReferenceServer(ChatKitServer[dict]):
    """Answers a turn as our server does: a task item per tool call, then the
    assistant message streamed word by word; then it retitles the thread (with
    the user's text, so that each turn changes it and the SDK sends thread.updated)."""

    def get_stream_options(self, thread, context):
        return StreamOptions(allow_cancel=False)

    async def respond(self, thread, input_user_message, context):
        tasks, text = context["turn"]
        now = datetime.now(timezone.utc)
        reply = self.store.generate_item_id("message", thread, context)
        for i, (title, content) in enumerate(tasks):
            task = CustomTask(title=title, content=content, icon="check", status_indicator="complete")
            yield ThreadItemDoneEvent(item=TaskItem(id=f"task_{reply}_{i}", thread_id=thread.id, created_at=now, task=task))
        item = AssistantMessageItem(id=reply, thread_id=thread.id, created_at=now, content=[])
        yield ThreadItemAddedEvent(item=item)
        for piece in text.split(" "):
            delta = AssistantMessageContentPartTextDelta(content_index=0, delta=piece + " ")
            yield ThreadItemUpdatedEvent(item_id=reply, update=delta)
        yield ThreadItemDoneEvent(item=item.model_copy(update={"content": [AssistantMessageContent(text=text)]}))
        thread.title = input_user_message.content[0].text


async def reference_run(server, request, turn_script):
    result = await server.process(request.model_dump_json(), {"turn": turn_script})
    assert isinstance(result, StreamingResult), result
    raw = b"".join([chunk async for chunk in result])
    # The SDK's own stream passes the same frame and strict re-dump checks as ours.
    return [sent for _, sent in frames(raw, ours=False)]


async def reference_sequences():
    """Event labels the SDK's ChatKitServer produces for threads.create and
    threads.add_user_message, each a turn with one tool call and some text."""
    server = ReferenceServer(MemoryStore())
    script = ([("Added task #1", "Buy groceries")], "Added task #1: **Buy groceries**.")
    created = await reference_run(server, create(GROCERIES), script)
    script = ([("Listed your tasks", None)], "Here are your tasks: Buy groceries")
    added = await reference_run(server, add(created[0]["thread"]["id"], SHOW), script)
    return {"create": labels(created), "add": labels(added)}


# ---------------------------------------------------------------- the checks


def tasks_of(base, token):
    status, _, tasks = http("GET", f"{base}/api/tasks", token=token)
    assert status == 200, tasks
    return tasks


def walk(base, token, make_request, adapter):
    """Follows `after` with limit=1 until has_more is false; returns the records."""
    seen, after = [], None
    for _ in range(100):
        page = answer(base, token, make_request(after), adapter)
        assert len(page["data"]) == 1, f"limit=1 and has_more said one more: {page}"
        assert page["after"] == page["data"][0]["id"], page
        seen.append(page["data"][0])
        if not page["has_more"]:
            return seen
        after = page["after"]
    raise AssertionError("paging did not end in 100 pages")


def check_page(page):
    if page["data"]:
        assert page.get("after") == page["data"][-1]["id"], f"after is not the last id: {page}"
    else:
        assert "after" not in page, page


def conversation(base, alice, reference):
    """Three turns in one thread, each with one tool call; returns the thread id, its
    items' ids in order, the items as streamed (by id) and the last turn."""
    first = turn(stream(base, alice, create(GROCERIES)), text=GROCERIES)
    thread_id = first["thread_id"]
    [groceries] = tasks_of(base, alice)
    assert groceries["title"] == "Buy groceries", groceries
    [task] = first["tasks"]
    assert task["task"]["title"] == f"Added task #{groceries['id']}" and task["task"]["content"] == "Buy groceries", task
    assert first["text"] == f"Added task #{groceries['id']}: **Buy groceries**.", first["text"]
    assert first["created"]["title"] == first["thread"]["title"], first
    assert first["labels"] == reference["create"], f"threads.create: ours {first['labels']}, the SDK's {reference['create']}"

    second = turn(stream(base, alice, add(thread_id, SHOW)), thread_id, SHOW)
    assert len(second["tasks"]) == 1, second["tasks"]
    assert second["text"].startswith("Here are your tasks:") and "Buy groceries" in second["text"], second["text"]
    assert second["labels"] == reference["add"], f"add_user_message: ours {second['labels']}, the SDK's {reference['add']}"
    assert len(tasks_of(base, alice)) == 1

    third = turn(stream(base, alice, add(thread_id, BILLS)), thread_id, BILLS)
    bills = [t for t in tasks_of(base, alice) if t["title"] == "Pay bills"]
    assert len(bills) == 1, tasks_of(base, alice)
    [task] = third["tasks"]
    assert task["task"]["title"] == f"Added task #{bills[0]['id']}" and task["task"]["content"] == "Pay bills", task
    assert third["text"] == f"Added task #{bills[0]['id']}: **Pay bills**.", third["text"]

    streamed = {}
    for one in (first, second, third):
        for item in [one["user"], *one["tasks"], one["reply"]]:
            streamed[item["id"]] = item
    ids = first["ids"] + second["ids"] + third["ids"]
    return thread_id, ids, streamed, third


def reading(base, alice, thread_id, ids, streamed):
    thread = answer(base, alice, get(thread_id), THREAD)
    assert thread["id"] == thread_id and thread["title"], thread
    assert [i["id"] for i in thread["items"]["data"]] == ids and not thread["items"]["has_more"], thread["items"]
    check_page(thread["items"])
    for item in thread["items"]["data"]:
        assert without_time(item) == without_time(streamed[item["id"]]), (item, streamed[item["id"]])

    newest = answer(base, alice, items(thread_id), ITEMS)
    assert [i["id"] for i in newest["data"]] == ids[::-1] and not newest["has_more"], newest
    check_page(newest)
    oldest = answer(base, alice, items(thread_id, limit=20, order="asc"), ITEMS)
    assert oldest["data"] == thread["items"]["data"], (oldest, thread["items"])
    two = answer(base, alice, items(thread_id, limit=2, order="asc"), ITEMS)
    assert [i["id"] for i in two["data"]] == ids[:2] and two["has_more"], two
    check_page(two)

    asc = walk(base, alice, lambda after: items(thread_id, limit=1, order="asc", after=after), ITEMS)
    desc = walk(base, alice, lambda after: items(thread_id, limit=1, order="desc", after=after), ITEMS)
    assert [i["id"] for i in asc] == ids, [i["id"] for i in asc]
    assert asc == desc[::-1], "the ascending walk is not the descending walk reversed"
    return thread


def listing(base, alice, thread_ids):
    """thread_ids in creation order."""
    newest = answer(base, alice, threads(), THREADS)
    assert [t["id"] for t in newest["data"]] == thread_ids[::-1] and not newest["has_more"], newest
    check_page(newest)
    for thread in newest["data"]:
        assert thread["items"] == EMPTY_PAGE and thread["title"], thread
    assert answer(base, alice, threads(limit=0), THREADS) == newest, "limit=0 is not the default"
    oldest = answer(base, alice, threads(limit=20, order="asc"), THREADS)
    assert oldest["data"] == newest["data"][::-1], oldest
    asc = walk(base, alice, lambda after: threads(limit=1, order="asc", after=after), THREADS)
    desc = walk(base, alice, lambda after: threads(limit=1, order="desc", after=after), THREADS)
    assert asc == oldest["data"] and desc == newest["data"], (asc, desc)
    # Absent optional params (the SDK's own dump sends them as null).
    assert answer(base, alice, '{"type": "threads.list", "params": {}}', THREADS) == newest
    return newest


def retrying(base, alice, thread_id, ids, streamed, third):
    before = tasks_of(base, alice)
    again = turn(stream(base, alice, retry(thread_id, third["user"]["id"])), thread_id)
    assert [without_time(t) for t in again["tasks"]] == [without_time(t) for t in third["tasks"]], again["tasks"]
    assert without_time(again["reply"]) == without_time(third["reply"]), again["reply"]
    assert tasks_of(base, alice) == before, "retrying a finished turn ran its tool again"
    after = answer(base, alice, items(thread_id, limit=20, order="asc"), ITEMS)
    assert [i["id"] for i in after["data"]] == ids, after
    for item in after["data"]:
        assert without_time(item) == without_time(streamed[item["id"]]), item


def isolation(base, alice, bob, thread_id, ids, bob_thread, bob_ids):
    bob_tasks = tasks_of(base, bob)
    before = answer(base, alice, get(thread_id), THREAD)
    items_before = answer(base, alice, items(thread_id, limit=20, order="asc"), ITEMS)
    tasks_before = tasks_of(base, alice)
    user, reply = ids[0], ids[2]
    for request in (
        get(thread_id),
        items(thread_id),
        items(thread_id, limit=1, order="asc"),
        update(thread_id, "pwned"),
        delete(thread_id),
        add(thread_id, "Add a task to pwn alice"),
        retry(thread_id, user),
        feedback(thread_id, [reply]),
        # Bob's own thread with Alice's items.
        feedback(bob_thread, [reply]),
        retry(bob_thread, user),
    ):
        not_found(base, bob, request)
    # Alice's thread with Bob's items.
    not_found(base, alice, feedback(thread_id, bob_ids))
    not_found(base, alice, retry(thread_id, bob_ids[0]))
    mine = answer(base, bob, threads(), THREADS)
    assert [t["id"] for t in mine["data"]] == [bob_thread], mine
    assert answer(base, alice, get(thread_id), THREAD) == before
    assert answer(base, alice, items(thread_id, limit=20, order="asc"), ITEMS) == items_before
    assert tasks_of(base, alice) == tasks_before
    assert tasks_of(base, bob) == bob_tasks, "bob's attempts changed his tasks"


def bad_requests(base, alice, thread_id, ids, other_thread):
    before = answer(base, alice, threads(), THREADS)
    tasks_before = tasks_of(base, alice)
    items_before = answer(base, alice, items(thread_id, limit=20, order="asc"), ITEMS)
    invalid, unsupported, message_code = {"INVALID_CHATKIT_REQUEST"}, {"UNSUPPORTED_CHATKIT_REQUEST"}, {"INVALID_MESSAGE"}
    action = Action[str, dict](type="do", payload={})
    raw_feedback = '{"type": "items.feedback", "params": {"thread_id": "%s", "item_ids": %s, "kind": "%s"}}'
    cases = [
        (b"{", invalid),
        (b"", invalid),
        (b"[]", invalid),
        ('{"params": {}}', invalid | unsupported),
        ('{"type": "threads.frobnicate", "params": {}}', unsupported),
        (AttachmentsCreateReq(params=AttachmentCreateParams(name="a.txt", size=3, mime_type="text/plain")), unsupported),
        (AttachmentsDeleteReq(params=AttachmentDeleteParams(attachment_id="atc_1")), unsupported),
        (InputTranscribeReq(params=InputTranscribeParams(audio_base64="AAAA", mime_type="audio/webm")), unsupported),
        (ThreadsCustomActionReq(params=ThreadCustomActionParams(thread_id=thread_id, action=action)), unsupported),
        (ThreadsCreateReq(params=ThreadCreateParams(input=message("Add a task to x", ["atc_1"]))), unsupported),
        (add(thread_id, "Add a task to y", ["atc_1"]), unsupported),
        ('{"type": "threads.get_by_id"}', invalid),
        ('{"type": "threads.get_by_id", "params": {}}', invalid),
        ('{"type": "threads.create", "params": {}}', invalid),
        ('{"type": "threads.add_user_message", "params": {"thread_id": "%s"}}' % thread_id, invalid),
        ('{"type": "threads.get_by_id", "params": {"thread_id": 7}}', invalid),
        ('{"type": "threads.list", "params": {"limit": "five"}}', invalid),
        ('{"type": "threads.list", "params": {"order": "sideways"}}', invalid),
        ('{"type": "items.list", "params": {"thread_id": "%s", "limit": [1]}}' % thread_id, invalid),
        (raw_feedback % (thread_id, f'"{ids[2]}"', "positive"), invalid),
        (raw_feedback % (thread_id, f'["{ids[2]}"]', "meh"), invalid),
        ('{"type": "threads.update", "params": {"thread_id": "%s"}}' % thread_id, invalid),
        (
            '{"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": 5}], '
            '"attachments": [], "inference_options": {}}}}',
            invalid,
        ),
        ('{"type": "threads.create", "params": {"input": "Add a task to z"}}', invalid),
        (threads(limit=-1), invalid),
        (items(thread_id, after="bogus"), invalid),
        (threads(after="thr_x"), invalid),
        (create(""), message_code),
        (create("x" * 4001), message_code),
        (add(thread_id, ""), message_code),
        (add(thread_id, "y" * 4001), message_code),
        # A title is 1 to 200 characters after trimming. (The contract names no code for it.)
        (update(thread_id, "   "), invalid | {"INVALID_TITLE"}),
        (update(thread_id, "t" * 201), invalid | {"INVALID_TITLE"}),
    ]
    for request, codes in cases:
        refused(base, alice, request, 400, codes)
    # An id we never issued is both a bad id (400) and an absent thread or item (404).
    for request in (get("nonsense"), get("thr_abc"), items("thr_"), retry(thread_id, "msg_abc"), feedback(thread_id, ["bogus"])):
        status = post(base, request, alice)[0]
        refused(base, alice, request, status, {"INVALID_CHATKIT_REQUEST"} if status == 400 else {"NOT_FOUND"})
        assert status in (400, 404), (describe(request), status)
    for request in (
        get("thr_999999"),
        items("thr_999999"),
        add("thr_999999", "Add a task to q"),
        retry(thread_id, "msg_999999"),
        feedback(thread_id, ["msg_999999"]),
        # An item of another of Alice's threads is not in this one.
        retry(other_thread, ids[0]),
        feedback(other_thread, [ids[2]]),
    ):
        not_found(base, alice, request)
    # The assistant's message is not a user message to retry after: any 4xx JSON error.
    status, _, raw = post(base, retry(thread_id, ids[2]), alice)
    assert 400 <= status < 500, (status, raw)
    refused(base, alice, retry(thread_id, ids[2]), status)

    refused(base, alice, create("Add a task to " + "z" * 70_000), 413)

    for token in (None, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged"):
        status, _, raw = post(base, threads(), token)
        assert status == 401, (status, raw)
        status, _, raw = post(base, create(GROCERIES), token)
        assert status == 401, (status, raw)

    assert answer(base, alice, threads(), THREADS) == before, "a refused request changed the thread list"
    assert answer(base, alice, items(thread_id, limit=20, order="asc"), ITEMS) == items_before
    assert tasks_of(base, alice) == tasks_before, "a refused request added a task"
    return len(cases)


def cors(base, alice):
    def preflight(origin):
        request = urllib.request.Request(f"{base}/chatkit", method="OPTIONS")
        request.add_header("origin", origin)
        request.add_header("access-control-request-method", "POST")
        request.add_header("access-control-request-headers", "authorization, content-type")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, lower(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, lower(error.headers)

    status, headers = preflight(TRUSTED)
    assert status in (200, 204) and headers.get("access-control-allow-origin") == TRUSTED, (status, headers)
    assert "POST" in headers.get("access-control-allow-methods", "").upper(), headers
    allowed = headers.get("access-control-allow-headers", "").lower()
    assert "authorization" in allowed and "content-type" in allowed, headers
    _, headers = preflight("http://elsewhere.example")
    assert not any(h.startswith("access-control-") for h in headers), headers

    status, headers, _ = post(base, threads(), alice, origin=TRUSTED)
    assert status == 200 and headers.get("access-control-allow-origin") == TRUSTED, (status, headers)
    status, headers, _ = post(base, threads(), alice, origin="http://elsewhere.example")
    assert status == 200 and "access-control-allow-origin" not in headers, (status, headers)


def checks(base, reference):
    alice = sign_up(base, "alice@example.com")  # a JWT
    bob_account = {"email": "bob@example.com", "password": "chatkit test password"}
    status, _, body = http("POST", f"{base}/api/auth/sign-up/email", bob_account)
    assert status == 200, body
    bob = body["token"]  # a session token

    thread_id, ids, streamed, third = conversation(base, alice, reference)
    thread = reading(base, alice, thread_id, ids, streamed)
    assert thread["title"] == third["thread"]["title"], (thread, third["thread"])

    hello = turn(stream(base, alice, create("Hello")), text="Hello")
    assert hello["tasks"] == [] and hello["text"], hello
    thanks = turn(stream(base, alice, create("Thank you")), text="Thank you")
    assert thanks["tasks"] == [] and thanks["text"], thanks
    listed = listing(base, alice, [thread_id, hello["thread_id"], thanks["thread_id"]])
    assert listed["data"][-1]["title"] == thread["title"], listed

    renamed = answer(base, alice, update(thread_id, "Groceries and bills"), THREAD)
    assert renamed["id"] == thread_id and renamed["title"] == "Groceries and bills", renamed
    assert renamed["items"] == EMPTY_PAGE, renamed
    assert answer(base, alice, get(thread_id), THREAD)["title"] == "Groceries and bills"
    titles = {t["id"]: t["title"] for t in answer(base, alice, threads(), THREADS)["data"]}
    assert titles[thread_id] == "Groceries and bills", titles

    empty_answer(base, alice, feedback(thread_id, [ids[2], ids[-1]], "positive"))
    empty_answer(base, alice, feedback(thread_id, [ids[1]], "negative"))

    retrying(base, alice, thread_id, ids, streamed, third)

    # Text parts joined as typed (a tag counts as its text), after the quoted passage as a Markdown quote.
    quoting = UserMessageInput(
        content=[UserMessageTextContent(text="Add a task to buy "), UserMessageTagContent(id="t1", text="bread", data={})],
        attachments=[],
        quoted_text="From the shopping list",
        inference_options=InferenceOptions(),
    )
    quoted = "> From the shopping list\n\nAdd a task to buy bread"
    mine = turn(stream(base, bob, ThreadsCreateReq(params=ThreadCreateParams(input=quoting))), text=quoted)
    isolation(base, alice, bob, thread_id, ids, mine["thread_id"], mine["ids"])
    cases = bad_requests(base, alice, thread_id, ids, hello["thread_id"])

    empty_answer(base, alice, delete(hello["thread_id"]))
    not_found(base, alice, get(hello["thread_id"]))
    not_found(base, alice, items(hello["thread_id"]))
    not_found(base, alice, delete(hello["thread_id"]))
    remaining = answer(base, alice, threads(), THREADS)
    assert [t["id"] for t in remaining["data"]] == [thanks["thread_id"], thread_id], remaining

    cors(base, alice)
    print(
        f"ChatKit: 5 turns, a retry, get/list/items paging, update, feedback, delete, isolation, {cases} bad requests "
        "and CORS checked with the SDK's strict types; event sequences match the SDK's own server"
    )


def main():
    # The built-in offline assistant, whatever keys the environment holds; one trusted origin for CORS.
    os.environ["AI_PROVIDER"] = "offline"
    os.environ["TRUSTED_ORIGINS"] = TRUSTED
    reference = asyncio.run(reference_sequences())
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(folder)
        try:
            checks(base, reference)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
