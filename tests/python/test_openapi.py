"""Checks /api/openapi.json against the OpenAPI 3.x rules and against the server.

1. The document is valid (openapi-spec-validator).
2. Every response of every operation has a JSON schema (204 excepted: no body).
3. Every operation is called against the live server, in success and in the
   errors it documents, and every answer validates against the schema
   documented for its status (jsonschema, the 2020-12 dialect of OpenAPI 3.1).

Usage: TASKTALK_BIN=path/to/tasktalk python tests/python/test_openapi.py
(needs `pip install openapi-spec-validator jsonschema`)
"""

import json
import re
import tempfile
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from test_mcp import http, start_server

METHODS = ("get", "post", "put", "patch", "delete")


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def every_response_has_a_schema(document):
    missing = [
        f"{method.upper()} {path} {status}"
        for path, method, operation in operations(document)
        for status, response in operation["responses"].items()
        if status != "204" and "schema" not in response.get("content", {}).get("application/json", {})
    ]
    assert not missing, f"responses without a schema: {missing}"


class Checker:
    """Calls operations and validates each answer against its documented schema."""

    def __init__(self, base, document):
        self.base = base
        self.document = document
        self.called = set()

    def call(self, method, template, values=None, body=None, token=None, query=""):
        path = template
        for name, value in (values or {}).items():
            path = path.replace("{" + name + "}", str(value))
        status, _, answer = http(method.upper(), f"{self.base}{path}{query}", body, token)
        operation = self.document["paths"][template][method]
        documented = operation["responses"].get(str(status))
        assert documented is not None, f"{method.upper()} {path}: {status} is not documented: {answer}"
        if status != 204:
            schema = dict(documented["content"]["application/json"]["schema"])
            schema["components"] = self.document["components"]
            errors = sorted(Draft202012Validator(schema).iter_errors(answer), key=str)
            assert not errors, f"{method.upper()} {path} {status}: {errors[0].message} in {answer}"
        self.called.add((template, method))
        return status, answer


def exercise(check):
    _, signed_up = check.call("post", "/api/auth/sign-up/email", body={"email": "doc@example.com", "password": "open api password", "name": "Doc"})
    check.call("post", "/api/auth/sign-up/email", body={"email": "doc@example.com", "password": "open api password"})
    check.call("post", "/api/auth/sign-up/email", body={"email": "not an email", "password": "open api password"})
    _, signed_in = check.call("post", "/api/auth/sign-in/email", body={"email": "doc@example.com", "password": "open api password"})
    check.call("post", "/api/auth/sign-in/email", body={"email": "doc@example.com", "password": "wrong password"})
    session = signed_in["token"]
    check.call("get", "/api/auth/get-session", token=session)
    check.call("get", "/api/auth/get-session")
    _, jwt = check.call("get", "/api/auth/token", token=session)
    check.call("get", "/api/auth/token")
    check.call("get", "/api/auth/jwks")
    token = jwt["token"]
    _, me = check.call("get", "/api/me", token=token)
    check.call("get", "/api/me")
    user = {"user_id": me["id"]}

    for prefix, values in (("/api", {}), ("/api/{user_id}", user)):
        _, task = check.call("post", f"{prefix}/tasks", values, {"title": "Buy milk", "description": "2 litres"}, token)
        check.call("post", f"{prefix}/tasks", values, {"title": ""}, token)
        one = dict(values, id=task["id"])
        check.call("get", f"{prefix}/tasks", values, token=token, query="?status=pending&sort=title")
        check.call("get", f"{prefix}/tasks", values, token=token, query="?status=sideways")
        check.call("get", f"{prefix}/tasks/{{id}}", one, token=token)
        check.call("put", f"{prefix}/tasks/{{id}}", one, {"title": "Oat milk"}, token)
        check.call("patch", f"{prefix}/tasks/{{id}}", one, {"completed": True}, token)
        check.call("patch", f"{prefix}/tasks/{{id}}", one, {"title": 5}, token)
        check.call("patch", f"{prefix}/tasks/{{id}}/complete", one, token=token)
        check.call("delete", f"{prefix}/tasks/{{id}}", one, token=token)
        check.call("get", f"{prefix}/tasks/{{id}}", one, token=token)
    check.call("get", "/api/{user_id}/tasks", {"user_id": "someone-else"}, token=token)

    _, reply = check.call("post", "/api/chat", body={"message": "Add a task to buy bread"}, token=token)
    conversation = {"id": reply["conversation_id"]}
    check.call("post", "/api/chat", body={"message": " "}, token=token)
    check.call("post", "/api/{user_id}/chat", user, {"message": "Show my tasks", "conversation_id": conversation["id"]}, token)
    check.call("get", "/api/conversations", token=token)
    check.call("get", "/api/conversations/{id}/messages", conversation, token=token, query="?limit=1")
    check.call("get", "/api/conversations/{id}/messages", conversation, token=token, query="?limit=0")
    check.call("get", "/api/conversations/{id}/messages", {"id": 999}, token=token)
    check.call("get", "/api/openapi.json")
    check.call("get", "/api/auth/jwks")
    check.call("post", "/api/auth/sign-out", body={}, token=session)
    assert signed_up["token"]


def main():
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(folder)
        try:
            with urllib.request.urlopen(f"{base}/api/openapi.json") as response:
                document = json.load(response)
            validate(document)
            every_response_has_a_schema(document)
            check = Checker(base, document)
            exercise(check)
            uncalled = {(p, m) for p, m, _ in operations(document)} - check.called
            assert not uncalled, f"operations never called: {sorted(uncalled)}"
            print(f"OpenAPI {document['openapi']}: valid, {len(document['paths'])} paths, "
                  f"{len(check.called)} operations answered as documented")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
