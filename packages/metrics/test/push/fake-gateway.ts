/** A loopback HTTP server standing in for a Pushgateway: records every request and answers as told. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeGateway {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Decides the answer to each request; default 200 (202 for DELETE) with an empty body. */
  respond: (
    req: RecordedRequest,
    index: number,
  ) => { status: number; body?: string; headers?: Record<string, string> } | 'hang';
  close(): Promise<void>;
}

export async function startFakeGateway(): Promise<FakeGateway> {
  const gw: FakeGateway = {
    url: '',
    port: 0,
    requests: [],
    respond: (req) => ({ status: req.method === 'DELETE' ? 202 : 200 }),
    close: () => Promise.resolve(),
  };
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      gw.requests.push(rec);
      const answer = gw.respond(rec, gw.requests.length - 1);
      if (answer === 'hang') {
        open.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  gw.port = addr.port;
  gw.url = `http://127.0.0.1:${addr.port}`;
  gw.close = () =>
    new Promise<void>((resolve) => {
      for (const r of open) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gw;
}
