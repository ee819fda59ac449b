// Starts the tasktalk binary on a free port with a fresh SQLite database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const binary = process.env.TASKTALK_BIN ?? resolve(import.meta.dirname, '../../target/debug/tasktalk');

export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tasktalk-browser-'));
  const child = spawn(binary, [], {
    env: { ...process.env, ...env, PORT: '0', BIND: '127.0.0.1', DATABASE_URL: `sqlite://${join(dir, 'test.db')}`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/running at (http:\/\/\S+)/);
      if (match) resolveUrl(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`tasktalk exited with ${code}: ${out}`)));
  });
  return {
    url,
    async stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const chromiumOptions = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
