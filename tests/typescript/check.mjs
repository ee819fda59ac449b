// The typed-client check, against a live server:
//   1. generate TypeScript types from its /api/openapi.json (openapi-typescript),
//   2. type-check the client with `tsc --strict --noEmit`: zero errors,
//   3. type-check a deliberately wrong use: it must fail, naming the mistake,
//   4. compile the client and call every operation of the server with it.
// Steps 1–3 are timed: the build target is under 30 s.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';

import { startServer } from '../browser/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs tsc with `args`; its exit code and what it printed. */
function typeCheck(...args) {
  try {
    return { code: 0, output: execFileSync(process.execPath, [tsc, ...args], { cwd: here, encoding: 'utf8' }) };
  } catch (failed) {
    return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

const server = await startServer();
try {
  const started = performance.now();
  const documentUrl = new URL('/api/openapi.json', server.url);
  const types = astToString(await openapiTS(documentUrl));
  mkdirSync(join(here, 'generated'), { recursive: true });
  writeFileSync(join(here, 'generated', 'api.d.ts'), types);
  const generated = performance.now();

  const strict = typeCheck('--strict', '--noEmit', '-p', 'tsconfig.json');
  assert.equal(strict.code, 0, `the typed client does not compile:\n${strict.output}`);
  const wrong = typeCheck('--strict', '--noEmit', '-p', 'tsconfig.wrong.json');
  assert.notEqual(wrong.code, 0, 'the misspelled field compiled: the types guard nothing');
  assert.match(wrong.output, /wrong\.ts.*'titel'/, `tsc failed, but not on the misspelling:\n${wrong.output}`);
  const checked = performance.now();
  const seconds = (ms) => (ms / 1000).toFixed(1);
  console.log(`types generated in ${seconds(generated - started)} s, type-checked in ${seconds(checked - generated)} s: ` +
    `${seconds(checked - started)} s in all (target: under 30 s)`);
  console.log(`the wrong use was refused:\n${wrong.output.trim().split('\n').map((l) => `  ${l}`).join('\n')}`);

  const built = typeCheck('-p', 'tsconfig.build.json');
  assert.equal(built.code, 0, built.output);
  const { callEveryOperation } = await import(pathToFileURL(join(here, 'dist', 'client.js')));
  const called = await callEveryOperation(server.url);

  const document = await (await fetch(documentUrl)).json();
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  const uncalled = operations.filter((operation) => !called.has(operation));
  assert.deepEqual(uncalled, [], 'operations the typed client never called');
  console.log(`the typed client called all ${operations.length} operations of the live server`);
} finally {
  await server.stop();
}
