/**
 * The shim: a tiny Node program that sits between the server and a run's process (as containerd-shim does for
 * containers). The local executor writes it into the run's folder and starts it detached, in its own process
 * group. It starts the entry point with pipes, writes stdout/stderr in arrival order as JSON lines (time, stream,
 * text) to the run's log file, and writes `exit.json` when the process ends. Because the log and the exit status are
 * files and the shim does not depend on the server, a run survives a server restart and the next server re-attaches
 * to it: reads the log from where it stopped and picks the exit status up when it appears.
 *
 * When the server is root, the shim stays root (it writes the log and the exit status into the run's `.gangplank/`
 * folder, which the run cannot touch) and starts the entry point as the run user (`uid`/`gid` in its config).
 *
 * The shim ignores SIGTERM/SIGINT/SIGHUP itself (a signal to the group reaches the process anyway) so that it can
 * record how the process ended; SIGKILL of the group ends it too, which the executor detects (no `exit.json`).
 *
 * Kept as a string so the same code runs from `src/` under vitest and from `dist/`.
 */
export const SHIM_SOURCE = String.raw`// gangplank run shim (generated; see packages/platform/src/executors/shim.ts)
import { spawn } from 'node:child_process';
import { openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const fd = openSync(cfg.logFile, 'a');
const MAX_LINE = 64 * 1024;
// p: 1 marks text that did not end a line (a progress bar, a split long line, output without a final newline).
const record = (stream, text, partial) =>
  writeSync(fd, JSON.stringify(partial ? { t: new Date().toISOString(), s: stream, x: text, p: 1 } : { t: new Date().toISOString(), s: stream, x: text }) + '\n');
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => {});

let finished = false;
function finish(code, signal, error) {
  if (finished) return;
  finished = true;
  for (const f of flushers) f();
  if (error) record('system', error);
  const tmp = cfg.exitFile + '.tmp';
  writeFileSync(tmp, JSON.stringify({ code, signal, error: error ?? null, time: new Date().toISOString() }));
  renameSync(tmp, cfg.exitFile);
  process.exit(0);
}

const flushers = [];
let child;
try {
  // uid/gid (a root server's run user): libuv clears the supplementary groups before it changes user.
  const user = cfg.uid === undefined ? {} : { uid: cfg.uid, gid: cfg.gid };
  child = spawn(cfg.command, cfg.args, { cwd: cfg.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...user });
} catch (e) {
  finish(127, null, 'cannot start ' + cfg.command + ': ' + e.message);
}
for (const stream of ['stdout', 'stderr']) {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    pending += decoder.end();
    if (pending) record(stream, pending, true);
    pending = '';
  };
  flushers.push(flush);
  child[stream].on('data', (buf) => {
    pending += decoder.write(buf);
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      record(stream, pending.slice(0, i).replace(/\r$/, ''));
      pending = pending.slice(i + 1);
    }
    while (pending.length > MAX_LINE) {
      record(stream, pending.slice(0, MAX_LINE), true);
      pending = pending.slice(MAX_LINE);
    }
    clearTimeout(timer);
    // A partial line (a progress bar) is written after 200 ms of quiet rather than held until its newline.
    if (pending) timer = setTimeout(() => { record(stream, pending, true); pending = ''; }, 200);
  });
}
child.on('error', (e) => finish(127, null, 'cannot start ' + cfg.command + ': ' + e.message));
let closed = 0;
let exitInfo;
const maybeDone = () => exitInfo && closed === 2 && finish(exitInfo.code, exitInfo.signal);
child.stdout.on('close', () => { closed++; maybeDone(); });
child.stderr.on('close', () => { closed++; maybeDone(); });
child.on('exit', (code, signal) => {
  exitInfo = { code, signal };
  maybeDone();
  // Do not wait for ever for the pipes: a background grandchild may hold them open.
  setTimeout(() => finish(code, signal), 1000).unref();
});
`;
