/**
 * The built `gangplank serve` as a child process on a free port: resolves once it prints its "listening on" line,
 * and rejects with everything it printed when it exits before that. The caller stops it (SIGTERM) and may await
 * `exited` for its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './run-cli.js';

export interface ServedChild {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

export async function spawnServe(options: {
  /** After `serve --port 0 --log-level silent`. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Node's own flags, before the CLI's path (e.g. `--import` of a hook). */
  nodeArgs?: string[];
}): Promise<ServedChild> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), BIN, 'serve', '--port', '0', '--log-level', 'silent', ...options.args],
    { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, url, exited };
}
