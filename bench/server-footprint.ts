/**
 * Start time and idle memory of `gangplank serve` on PGlite, side by side in one run (interleaved rounds) with a
 * bare Fastify server answering the same `/health`: start = from spawning the process to the first 200 from
 * `/health`; idle RSS = the process's resident set a few seconds after that, with nothing asked of it. Three
 * variants: the bare server, `serve` on a fresh (empty) data folder, and `serve` reopening that folder.
 * Targets (issue 13): fresh ≤ 6× the bare start, reopening ≤ 3×, idle RSS ≤ 3×. With a third argument, the
 * `bin/gangplank.js` of another built checkout (a `git worktree` of an older commit, `npx tsc -b` there, its
 * node_modules a link to this one's), that one's fresh and reopen variants run in the same rounds ("before").
 *
 *   npx tsc -b && npx tsx bench/server-footprint.ts [rounds=3] [idleMs=3000] [baselineBin]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 3);
const idleMs = Number(process.argv[3] ?? 3000);
const baselineBin = process.argv[4];
const repo = fileURLToPath(new URL('../', import.meta.url));
const bin = join(repo, 'packages/platform/bin/gangplank.js');
const work = mkdtempSync(join(tmpdir(), 'gangplank-footprint-'));

const bareServer = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/health', () => ({}));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function rssMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

async function untilHealthy(url: string, child: ChildProcess, started: bigint): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    try {
      if ((await fetch(url)).status === 200) return Number(process.hrtime.bigint() - started) / 1e6;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Sample {
  startMs: number;
  rssMiB: number;
}

const home = join(work, 'home');
const env = { PATH: process.env['PATH'] ?? '', HOME: home };

/** Spawns the server `argsFor(port)` describes, times it to its first healthy answer, idles, reads its RSS. */
async function measure(argsFor: (port: number) => string[]): Promise<Sample> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, argsFor(port), {
    cwd: repo,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const startMs = await untilHealthy(`http://127.0.0.1:${port}/health`, child, started);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    return { startMs, rssMiB: rssMiB(child.pid!) };
  } finally {
    await stop(child);
  }
}

const bareArgs = (): string[] => ['--input-type=module', '-e', bareServer];
const serveArgs =
  (dataDir: string, serveBin = bin) =>
  (port: number): string[] => [
    serveBin,
    'serve',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--log-level',
    'silent',
  ];

const samples: Record<string, Sample[]> = { bare: [], fresh: [], reopen: [] };
if (baselineBin) Object.assign(samples, { 'fresh (before)': [], 'reopen (before)': [] });
const record = async (name: string, argsFor: (port: number) => string[]): Promise<void> => {
  samples[name]!.push(await measure(argsFor));
};
// A fresh start writes a 40 MB data folder of about 1,000 files: right after a large delete (the previous run of this
// benchmark removes ~50 of them) ext4 creates files several times slower, which doubled the fresh figure. Flush
// and let the disk settle first, so the rounds measure the server rather than that backlog.
execFileSync('sync');
await new Promise((resolve) => setTimeout(resolve, 5000));
try {
  for (let round = 0; round < rounds; round++) {
    await record('bare', bareArgs);
    const dataDir = join(work, `data-${round}`);
    const serve = async (): Promise<void> => {
      await record('fresh', serveArgs(dataDir));
      await record('reopen', serveArgs(dataDir));
    };
    if (!baselineBin) {
      await serve();
      continue;
    }
    const before = async (): Promise<void> => {
      await record('fresh (before)', serveArgs(`${dataDir}-before`, baselineBin));
      await record('reopen (before)', serveArgs(`${dataDir}-before`, baselineBin));
    };
    // Alternate which goes first, so neither always runs right after the bare server.
    for (const variant of round % 2 === 0 ? [serve, before] : [before, serve]) await variant();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bareSamples = samples['bare'] ?? [];
const bare = {
  start: median(bareSamples.map((s) => s.startMs)),
  rss: median(bareSamples.map((s) => s.rssMiB)),
};
console.log(`rounds: ${rounds} (interleaved), idle ${idleMs} ms before reading RSS; medians`);
for (const [name, xs] of Object.entries(samples)) {
  const start = median(xs.map((s) => s.startMs));
  const rss = median(xs.map((s) => s.rssMiB));
  console.log(
    `${name.padEnd(15)} start ${start.toFixed(0).padStart(6)} ms (${(start / bare.start).toFixed(2)}× bare)   ` +
      `idle RSS ${rss.toFixed(0).padStart(5)} MiB (${(rss / bare.rss).toFixed(2)}× bare)   ` +
      `all starts: ${xs.map((s) => s.startMs.toFixed(0)).join(', ')} ms`,
  );
}
console.log('targets: fresh start ≤ 6×, reopen start ≤ 3×, idle RSS ≤ 3× (of the bare Fastify server)');
