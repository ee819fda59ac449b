// A small typed client of Tasktalk's JSON API: openapi-fetch over the types
// openapi-typescript generated from /api/openapi.json. `tsc --strict` checks
// every request body, path parameter and response field against the
// document; run, it calls every operation of a live server.
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./generated/api.js";

type Task = components["schemas"]["TaskView"];
type ApiError = components["schemas"]["ApiError"];

function expect(holds: boolean, what: string): asserts holds {
  if (!holds) throw new Error(`expected ${what}`);
}

/// Only what the server answered for its documented status is typed `data`.
function must<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  expect(result.response.status === status, `${result.response.url}: ${status}, got ${result.response.status}`);
  expect(result.data !== undefined, `${result.response.url}: a body`);
  return result.data;
}

function apiError(result: { error?: ApiError; response: Response }, status: number, code: string): void {
  expect(result.response.status === status, `${result.response.url}: ${status}, got ${result.response.status}`);
  expect(result.error?.error.code === code, `${result.response.url}: ${code}, got ${JSON.stringify(result.error)}`);
}

/// Calls every operation; returns `METHOD /path/template` of each call made.
export async function callEveryOperation(baseUrl: string): Promise<Set<string>> {
  const called = new Set<string>();
  let bearer: string | undefined;
  const record: Middleware = {
    onRequest({ request, schemaPath }) {
      called.add(`${request.method} ${schemaPath}`);
      if (bearer !== undefined) request.headers.set("authorization", `Bearer ${bearer}`);
      return request;
    },
  };
  const api = createClient<paths>({ baseUrl });
  api.use(record);

  // Accounts and sessions (Better-Auth's shapes).
  const email = `ts-${Date.now()}@example.com`;
  const password = "typed client password";
  const signedUp = must(await api.POST("/api/auth/sign-up/email", { body: { email, password, name: "Tess" } }), 200);
  expect(signedUp.token !== null && signedUp.user.emailVerified === false, "a new account");
  const signedIn = must(await api.POST("/api/auth/sign-in/email", { body: { email, password } }), 200);
  const wrong = await api.POST("/api/auth/sign-in/email", { body: { email, password: "not the password" } });
  expect(wrong.error?.code === "INVALID_EMAIL_OR_PASSWORD", "Better-Auth's error shape");
  bearer = signedIn.token;
  const session = must(await api.GET("/api/auth/get-session"), 200);
  expect(session !== null && session.session.userId === signedIn.user.id, "the session of the user");
  const jwt = must(await api.GET("/api/auth/token"), 200).token;
  const keys = must(await api.GET("/api/auth/jwks"), 200).keys;
  expect(Array.isArray(keys), "a key set");
  bearer = jwt;
  const me = must(await api.GET("/api/me"), 200);
  const userId: string = me.id;

  // Tasks, under /api and under /api/{user_id}.
  const created: Task = must(await api.POST("/api/tasks", { body: { title: "Buy milk", description: "2 litres" } }), 201);
  const id = created.id;
  expect(created.description?.toUpperCase() === "2 LITRES", "the description");
  apiError(await api.POST("/api/tasks", { body: { title: "" } }), 400, "INVALID_ARGUMENT");
  const pending = must(await api.GET("/api/tasks", { params: { query: { status: "pending", sort: "title" } } }), 200);
  expect(pending.some((t) => t.id === id), "the new task among the pending ones");
  must(await api.GET("/api/tasks/{id}", { params: { path: { id } } }), 200);
  const replaced = must(await api.PUT("/api/tasks/{id}", { params: { path: { id } }, body: { title: "Oat milk" } }), 200);
  expect(replaced.description === null, "PUT without a description clears it");
  const patched = must(await api.PATCH("/api/tasks/{id}", { params: { path: { id } }, body: { completed: true } }), 200);
  expect(patched.completed, "PATCH sets completed");
  const toggled = must(await api.PATCH("/api/tasks/{id}/complete", { params: { path: { id } } }), 200);
  expect(!toggled.completed, "the toggle flips it back");
  const deleted = await api.DELETE("/api/tasks/{id}", { params: { path: { id } } });
  expect(deleted.response.status === 204, "204 on delete");
  apiError(await api.GET("/api/tasks/{id}", { params: { path: { id } } }), 404, "NOT_FOUND");

  const mine = { user_id: userId };
  const other = must(await api.POST("/api/{user_id}/tasks", { params: { path: mine }, body: { title: "Via my path" } }), 201);
  const path = { ...mine, id: other.id };
  must(await api.GET("/api/{user_id}/tasks", { params: { path: mine, query: { status: "all" } } }), 200);
  must(await api.GET("/api/{user_id}/tasks/{id}", { params: { path } }), 200);
  must(await api.PUT("/api/{user_id}/tasks/{id}", { params: { path }, body: { title: "Renamed", completed: false } }), 200);
  must(await api.PATCH("/api/{user_id}/tasks/{id}", { params: { path }, body: { description: null } }), 200);
  must(await api.PATCH("/api/{user_id}/tasks/{id}/complete", { params: { path } }), 200);
  expect((await api.DELETE("/api/{user_id}/tasks/{id}", { params: { path } })).response.status === 204, "204");
  apiError(await api.GET("/api/{user_id}/tasks", { params: { path: { user_id: "someone-else" } } }), 403, "FORBIDDEN");

  // The assistant (offline, with no provider key), and reading conversations.
  const reply = must(await api.POST("/api/chat", { body: { message: "Add a task to buy bread" } }), 200);
  expect(reply.tool_calls.every((call) => typeof call.name === "string"), "named tool calls");
  const conversation_id = reply.conversation_id;
  must(await api.POST("/api/{user_id}/chat", { params: { path: mine }, body: { message: "Show my tasks", conversation_id } }), 200);
  apiError(await api.POST("/api/chat", { body: { message: " " } }), 400, "INVALID_MESSAGE");
  const conversations = must(await api.GET("/api/conversations"), 200);
  expect(conversations[0]?.id === conversation_id, "the conversation, latest first");
  const page = must(
    await api.GET("/api/conversations/{id}/messages", { params: { path: { id: conversation_id }, query: { limit: 2 } } }),
    200,
  );
  expect(page.messages.length === 2 && page.next_before !== null, "a page with older messages");
  const roles = page.messages.map((m) => m.role);
  expect(roles.every((role) => role === "user" || role === "assistant"), "roles");

  const document = must(await api.GET("/api/openapi.json"), 200);
  expect(typeof document === "object", "the document");
  // Signing out with the JWT ends the session it was issued from.
  const signedOut = must(await api.POST("/api/auth/sign-out"), 200);
  expect(signedOut.success, "signed out");
  return called;
}
