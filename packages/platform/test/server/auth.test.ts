import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowed } from '../../src/server/permissions.js';
import type { Store } from '../../src/store/store.js';
import {
  ADMIN,
  buildApp,
  call,
  cliTraining,
  closeApp,
  openStore,
  seed,
  STATIC_TOKENS,
  VIEWER,
} from './helpers.js';

let store: Store;
let app: FastifyInstance;
let issuerServer: Server;
let issuer: string;
let privateKey: CryptoKey;

async function jwt(roles: string[], options: { issuer?: string; expired?: boolean } = {}): Promise<string> {
  const builder = new SignJWT({ realm_access: { roles }, preferred_username: 'alice' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.issuer ?? issuer)
    .setSubject('alice')
    .setIssuedAt();
  builder.setExpirationTime(options.expired ? Math.floor(Date.now() / 1000) - 60 : '5m');
  return builder.sign(privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  issuerServer = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (request.url === '/jwks') {
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  store = await openStore();
  app = await buildApp(store, {
    auth: { tokens: STATIC_TOKENS, oidc: { issuer } },
  });
});
afterAll(async () => {
  await closeApp(app, store);
  await new Promise((resolve) => issuerServer.close(resolve));
});

describe('authentication and roles', () => {
  it('leaves /health, /swagger and /metrics open and asks for a token elsewhere', async () => {
    expect((await call(app, 'GET', '/health')).statusCode).toBe(200);
    expect((await call(app, 'GET', '/swagger/json')).statusCode).toBe(200);
    expect((await call(app, 'GET', '/metrics')).statusCode).toBe(200);
    const res = await call(app, 'GET', '/api/v1/model/training');
    expect(res.statusCode).toBe(401);
    expect(res.data).toEqual({ message: 'authentication required: send "Authorization: Bearer <token>"' });
    expect(
      (await call(app, 'GET', '/api/v1/model/training', undefined, { authorization: 'Bearer wrong-token' }))
        .data,
    ).toEqual({
      message: 'invalid token: not a known token',
    });
  });

  it('applies Odahu roles to static tokens', async () => {
    await seed(app, '', ADMIN);
    expect((await call(app, 'POST', '/api/v1/model/training', cliTraining('wine'), ADMIN)).statusCode).toBe(
      201,
    );
    expect((await call(app, 'GET', '/api/v1/model/training/wine', undefined, VIEWER)).statusCode).toBe(200);
    const denied = await call(app, 'DELETE', '/api/v1/model/training/wine', undefined, VIEWER);
    expect(denied.statusCode).toBe(403);
    expect(denied.data).toEqual({
      message: 'watcher (roles viewer) is not allowed to DELETE /api/v1/model/training/wine',
    });
    expect((await call(app, 'GET', '/api/v1/connection/wine/decrypted', undefined, VIEWER)).statusCode).toBe(
      403,
    );
    expect((await call(app, 'GET', '/api/v1/connection/wine/decrypted', undefined, ADMIN)).statusCode).toBe(
      200,
    );
  });

  it('verifies OIDC JWTs against the issuer keys and maps realm roles', async () => {
    const scientist = { authorization: `Bearer ${await jwt(['odahu_data_scientist'])}` };
    expect(
      (await call(app, 'PUT', '/api/v1/model/training', cliTraining('wine'), scientist)).statusCode,
    ).toBe(200);
    expect((await call(app, 'GET', '/api/v1/connection/wine', undefined, scientist)).statusCode).toBe(200);
    const decrypted = await call(app, 'GET', '/api/v1/connection/wine/decrypted', undefined, scientist);
    expect(decrypted.statusCode).toBe(403);
    expect((decrypted.data as { message: string }).message).toContain('alice (roles data_scientist)');
    expect((await call(app, 'POST', '/api/v1/connection', {}, scientist)).statusCode).toBe(403);
    const nobody = { authorization: `Bearer ${await jwt(['other'])}` };
    expect((await call(app, 'GET', '/api/v1/model/training', undefined, nobody)).data).toEqual({
      message: 'alice (no Gangplank role) is not allowed to GET /api/v1/model/training',
    });
    const expired = await call(app, 'GET', '/api/v1/model/training', undefined, {
      authorization: `Bearer ${await jwt(['odahu_admin'], { expired: true })}`,
    });
    expect(expired.statusCode).toBe(401);
    expect((expired.data as { message: string }).message).toMatch(/^invalid token: /);
    const foreign = await call(app, 'GET', '/api/v1/model/training', undefined, {
      authorization: `Bearer ${await jwt(['odahu_admin'], { issuer: 'https://evil.example' })}`,
    });
    expect(foreign.statusCode).toBe(401);
  });

  it('answers 503, not 401, while the OIDC issuer cannot be reached, and recovers after', async () => {
    const unreachable = await buildApp(store, {
      auth: { tokens: [], oidc: { issuer: 'http://127.0.0.1:9', jwksUri: 'http://127.0.0.1:9/jwks' } },
    });
    try {
      const token = {
        authorization: `Bearer ${await jwt(['odahu_admin'], { issuer: 'http://127.0.0.1:9' })}`,
      };
      const res = await call(unreachable, 'GET', '/api/v1/model/training', undefined, token);
      expect(res.statusCode).toBe(503);
      expect((res.data as { message: string }).message).toMatch(
        /^cannot verify the token: the keys of the OIDC issuer http:\/\/127\.0\.0\.1:9 could not be read/,
      );
    } finally {
      await unreachable.close();
    }
    // The reachable issuer of the suite still judges tokens: a bad signature stays a 401.
    const forged = `${(await jwt(['odahu_admin'])).slice(0, -4)}AAAA`;
    const res = await call(app, 'GET', '/api/v1/model/training', undefined, {
      authorization: `Bearer ${forged}`,
    });
    expect(res.statusCode).toBe(401);
  });

  it('tells the caller who it is', async () => {
    const scientist = { authorization: `Bearer ${await jwt(['odahu_data_scientist'])}` };
    expect((await call(app, 'GET', '/api/v1/user/info', undefined, scientist)).data).toEqual({
      username: 'alice',
      email: '',
      roles: ['data_scientist'],
    });
  });

  it('matches the permission matrix', () => {
    expect(isAllowed(['viewer'], 'GET', '/api/v1/toolchain/integration/mlflow')).toBe(true);
    expect(isAllowed(['viewer'], 'POST', '/api/v1/model/training')).toBe(false);
    expect(isAllowed(['data_scientist'], 'POST', '/api/v1/model/training/x/cancel')).toBe(true);
    expect(isAllowed(['data_scientist'], 'POST', '/api/v1/toolchain/integration')).toBe(false);
    expect(isAllowed(['data_scientist'], 'GET', '/api/v1/connection')).toBe(true);
    expect(isAllowed(['admin'], 'DELETE', '/api/v1/connection/x')).toBe(true);
  });
});
