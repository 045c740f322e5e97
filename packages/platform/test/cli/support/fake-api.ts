/**
 * A small in-memory stand-in for the Gangplank API (Odahu-flow 1.6 routes, messages and status codes), for CLI
 * tests that need failures a real server does not produce on demand: a log stream that drops mid-way, a training
 * that fails, a refused token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Resource = {
  id: string;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
};

const PATHS = {
  '/api/v1/model/training': 'Model training',
  '/api/v1/toolchain/integration': 'ToolchainIntegration',
  '/api/v1/connection': 'Connection',
} as const;
type Path = keyof typeof PATHS;

export interface FakeRun {
  id: string;
  state: string;
  createdAt: string;
  reason?: string;
}

export class FakeApi {
  readonly store = new Map<Path, Map<string, Resource>>(
    Object.keys(PATHS).map((p) => [p as Path, new Map()]),
  );
  readonly runs = new Map<string, FakeRun[]>();
  /** Full log text per training. */
  readonly logs = new Map<string, string>();
  /** When set, follow streams send this many bytes and then drop the connection. */
  dropFollowAfterBytes: number | undefined;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** Requests seen, `METHOD path`. */
  readonly requests: string[] = [];
  /** What each state poll returns next for a training (shifted on every GET of that training). */
  readonly stateScript = new Map<string, string[]>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  training(id: string): Resource | undefined {
    return this.store.get('/api/v1/model/training')!.get(id);
  }

  private newRun(id: string): void {
    const list = this.runs.get(id) ?? [];
    const run = {
      id: `${id}-run-${list.length + 1}`,
      state: 'scheduling',
      createdAt: new Date().toISOString(),
    };
    list.push(run);
    this.runs.set(id, list);
    this.training(id)!.status = { state: 'scheduling', runId: run.id };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      return send(res, 401, { message: 'a valid bearer token is required' });
    }
    if (url.pathname === '/health') return send(res, 200, {});
    const base = (Object.keys(PATHS) as Path[]).find(
      (p) => url.pathname === p || url.pathname.startsWith(`${p}/`),
    );
    if (!base) return send(res, 404, { message: 'not found' });
    const items = this.store.get(base)!;
    const rest = url.pathname
      .slice(base.length + 1)
      .split('/')
      .filter(Boolean);
    const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
    const id = rest[0] !== undefined ? decodeURIComponent(rest[0]) : undefined;

    if (id === undefined) {
      if (req.method === 'GET')
        return send(
          res,
          200,
          [...items.values()].sort((a, b) => a.id.localeCompare(b.id)),
        );
      const r = body as Resource | undefined;
      if (!r || typeof r.id !== 'string') return send(res, 400, { message: 'Validation failed: empty "ID"' });
      if ('kind' in r) return send(res, 400, { message: 'kind must not be sent by the Gangplank CLI' });
      if (req.method === 'POST') {
        if (items.has(r.id)) return send(res, 409, { message: `entity "${r.id}" already exists` });
        items.set(r.id, { ...r, createdAt: new Date().toISOString(), status: {} });
      } else if (req.method === 'PUT') {
        if (!items.has(r.id)) return send(res, 404, { message: `entity "${r.id}" is not found` });
        items.set(r.id, { ...items.get(r.id), ...r, status: {} });
      }
      if (base === '/api/v1/model/training') this.newRun(r.id);
      return send(res, req.method === 'POST' ? 201 : 200, items.get(r.id));
    }
    const item = items.get(id);
    if (!item) return send(res, 404, { message: `entity "${id}" is not found` });
    const sub = rest[1];
    if (sub === undefined && req.method === 'GET') {
      const next = this.stateScript.get(id)?.shift();
      if (next) {
        item.status = { ...item.status, state: next };
        if (next === 'failed')
          Object.assign(item.status, { reason: 'Error', exitCode: 3, message: 'loss was NaN' });
      }
      return send(res, 200, item);
    }
    if (sub === undefined && req.method === 'DELETE') {
      items.delete(id);
      return send(res, 200, { message: `${PATHS[base]} ${id} was deleted` });
    }
    if (sub === 'decrypted')
      return send(res, 200, { ...item, spec: { ...item.spec, keySecret: 'c2VjcmV0' } });
    if (sub === 'runs') return send(res, 200, this.runs.get(id) ?? []);
    if (sub === 'cancel' && req.method === 'POST') {
      const runs = this.runs.get(id) ?? [];
      const last = runs[runs.length - 1];
      if (last)
        Object.assign(last, { state: 'failed', reason: (body as { reason?: string }).reason ?? 'Cancelled' });
      item.status = { ...item.status, state: 'failed', reason: 'Cancelled' };
      return send(res, 200, item);
    }
    if (sub === 'log') {
      const text = Buffer.from(this.logs.get(id) ?? '');
      const follow = url.searchParams.get('follow') === 'true';
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      if (follow && this.dropFollowAfterBytes !== undefined && this.dropFollowAfterBytes < text.length) {
        res.write(text.subarray(0, this.dropFollowAfterBytes));
        this.dropFollowAfterBytes += 7;
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(text);
      return;
    }
    send(res, 404, { message: 'not found' });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
