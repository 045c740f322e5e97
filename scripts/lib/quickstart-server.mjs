// The quickstart's API server: one `gangplank serve` per state folder, left running in the background so the user
// can look at the run's page. A pid file names it, so the next quickstart replaces it (it may bring a new build,
// stack or port) instead of failing on the port or leaving two servers behind.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// A pid file can outlive its process and the pid be reused: only a `gangplank serve` of this CLI is ours to stop.
function isOurServer(pid, cli) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(cli) && argv.includes('serve');
  } catch {
    return false;
  }
}

export const serverFiles = (dir) => ({ pid: join(dir, 'server.pid'), log: join(dir, 'server.log') });

/** Stops the server an earlier quickstart left in `dir`; returns its pid, or undefined when none was running. */
export async function stopQuickstartServer(dir, cli) {
  const files = serverFiles(dir);
  if (!existsSync(files.pid)) return undefined;
  const pid = Number(readFileSync(files.pid, 'utf8').trim());
  let stopped;
  if (Number.isInteger(pid) && pid > 0 && isOurServer(pid, cli)) {
    // SIGTERM lets it close the store cleanly; a run still going is re-attached by the next server.
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(200);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    stopped = pid;
  }
  rmSync(files.pid, { force: true });
  return stopped;
}

/**
 * Starts `gangplank serve` detached, with its PGlite store and run folders in `dir` and its output in
 * `dir/server.log`, and resolves once it listens: { pid, url, log }. The run folders must stay inside the
 * checkout: the MNIST launcher finds the repository's node_modules above its work folder.
 */
export async function startQuickstartServer({ dir, cli, cwd, port, pushgateway, prometheus }) {
  mkdirSync(dir, { recursive: true });
  const files = serverFiles(dir);
  const out = openSync(files.log, 'w');
  const args = [cli, 'serve', '--port', String(port), '--data-dir', dir];
  args.push('--pushgateway', pushgateway, '--prometheus', prometheus, '--log-level', 'warn');
  const child = spawn(process.execPath, args, { cwd, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.unref();
  writeFileSync(files.pid, `${child.pid}\n`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = readFileSync(files.log, 'utf8');
    const url = /Gangplank API listening on (\S+)/.exec(text)?.[1];
    if (url) return { pid: child.pid, url, log: files.log };
    if (exited) break;
    await sleep(200);
  }
  if (!exited) process.kill(child.pid, 'SIGTERM');
  rmSync(files.pid, { force: true });
  const tail = readFileSync(files.log, 'utf8').trim().split('\n').slice(-10).join('\n  ');
  throw new Error(`the API server did not start (${files.log}):\n  ${tail}`);
}
