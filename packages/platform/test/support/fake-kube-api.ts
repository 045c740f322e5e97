/**
 * A FAKE Kubernetes API server for tests: loopback HTTP, an in-memory object store, and a record of every request.
 * It is not Kubernetes: no controllers run. The test plays the Job controller and the kubelet (it creates the
 * pod and writes statuses and logs with the helpers below); deleting an object with propagation removes the
 * objects whose owner references name it, as the garbage collector would. It understands just what the executor
 * calls: create, read, list with an equality label selector, JSON-patch `add`/`replace`, delete, and pod logs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string }[];
    creationTimestamp?: string;
    resourceVersion?: string;
  };
  [key: string]: unknown;
}

const PATH =
  /^\/(?:api\/v1|apis\/batch\/v1)\/namespaces\/([^/]+)\/(jobs|pods|secrets|services)(?:\/([^/]+))?(?:\/(log))?$/;

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  /** key `<kind>/<namespace>/<name>` */
  readonly objects = new Map<string, KubeObject>();
  /** key `<namespace>/<pod>/<container>` */
  readonly logs = new Map<string, string>();
  private server: Server | undefined;
  private version = 1;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => {
      this.server?.closeAllConnections();
      this.server?.close(() => r());
    });
  }

  /** A KubeConfig pointing at this fake, with a bearer token. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kc;
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${kind}/${namespace}/${name}`);
  }

  /** Creates an object as a controller would (e.g. the Job's pod). */
  put(kind: string, object: KubeObject): KubeObject {
    const ns = object.metadata.namespace ?? 'default';
    const stored: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        namespace: ns,
        uid: object.metadata.uid ?? randomUUID(),
        creationTimestamp: object.metadata.creationTimestamp ?? new Date().toISOString(),
        resourceVersion: String(this.version++),
      },
    };
    this.objects.set(`${kind}/${ns}/${object.metadata.name}`, stored);
    return stored;
  }

  /** Sets `status` of a stored object. */
  setStatus(kind: string, namespace: string, name: string, status: unknown): void {
    const object = this.get(kind, namespace, name);
    if (!object) throw new Error(`no ${kind} ${namespace}/${name} in the fake`);
    object.status = status;
  }

  setLog(namespace: string, pod: string, container: string, text: string): void {
    this.logs.set(`${namespace}/${pod}/${container}`, text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
    const send = (code: number, payload: unknown, type = 'application/json') => {
      res.writeHead(code, { 'content-type': type });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    if (req.headers.authorization !== 'Bearer fake-token') return status(401, 'Unauthorized', 'no token');
    const match = PATH.exec(url.pathname);
    if (!match) return status(404, 'NotFound', `the fake does not serve ${url.pathname}`);
    const [, ns = '', kind = '', name, sub] = match;
    const key = `${kind}/${ns}/${name ?? ''}`;
    if (sub === 'log') {
      if (!this.objects.has(key)) return status(404, 'NotFound', `pods "${name}" not found`);
      const text = this.logs.get(`${ns}/${name}/${url.searchParams.get('container') ?? ''}`);
      if (text === undefined) return status(400, 'BadRequest', 'container is waiting to start');
      return send(200, text, 'text/plain');
    }
    if (method === 'POST' && !name) {
      const object = body as KubeObject;
      if (this.objects.has(`${kind}/${ns}/${object.metadata.name}`)) {
        return status(409, 'AlreadyExists', `${kind} "${object.metadata.name}" already exists`);
      }
      return send(201, this.put(kind, { ...object, metadata: { ...object.metadata, namespace: ns } }));
    }
    if (method === 'GET' && !name) {
      const selector = (url.searchParams.get('labelSelector') ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('='));
      const items = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(`${kind}/${ns}/`))
        .map(([, o]) => o)
        .filter((o) => selector.every(([k = '', v]) => o.metadata.labels?.[k] === v));
      return send(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items });
    }
    const object = this.objects.get(key);
    if (!object) return status(404, 'NotFound', `${kind} "${name}" not found`);
    if (method === 'GET') return send(200, object);
    if (method === 'PATCH') {
      for (const op of body as { op: string; path: string; value: unknown }[]) {
        if (op.op !== 'add' && op.op !== 'replace')
          return status(422, 'Invalid', `op ${op.op} not in the fake`);
        const parts = op.path
          .split('/')
          .slice(1)
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        let target = object as Record<string, unknown>;
        for (const part of parts.slice(0, -1)) {
          target[part] ??= {};
          target = target[part] as Record<string, unknown>;
        }
        target[parts[parts.length - 1] ?? ''] = op.value;
      }
      object.metadata.resourceVersion = String(this.version++);
      return send(200, object);
    }
    if (method === 'DELETE') {
      this.objects.delete(key);
      const policy =
        (body as { propagationPolicy?: string } | undefined)?.propagationPolicy ??
        url.searchParams.get('propagationPolicy');
      if (policy !== 'Orphan') this.collect(object.metadata.uid ?? '');
      return send(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    return status(405, 'MethodNotAllowed', `${method} not in the fake`);
  }

  /** The garbage collector's part: removes what the deleted object owned, transitively. */
  private collect(uid: string): void {
    for (const [key, object] of [...this.objects.entries()]) {
      if (object.metadata.ownerReferences?.some((o) => o.uid === uid)) {
        this.objects.delete(key);
        this.collect(object.metadata.uid ?? '');
      }
    }
  }
}
