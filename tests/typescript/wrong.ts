// A deliberate mistake: `titel` for `title`. The check expects `tsc` to
// refuse this file; if it compiled, the generated types would not be
// guarding anything.
import createClient from "openapi-fetch";

import type { paths } from "./generated/api.js";

export async function misspelled(baseUrl: string): Promise<string> {
  const api = createClient<paths>({ baseUrl });
  const { data } = await api.POST("/api/tasks", { body: { titel: "Buy milk" } });
  return data?.titel ?? "";
}
