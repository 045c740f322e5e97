import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionToWire } from '../../src/domain/connection-wire.js';
import type { Connection, ConnectionSpec } from '../../src/domain/types.js';
import { maskUriSecrets } from '../../src/domain/uri-credentials.js';
import { validateConnection } from '../../src/domain/validate-connection.js';
import type { ConnectionBody } from '../../src/domain/wire.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const body = (type: string, fields: ConnectionBody['fields']): ConnectionBody => ({ id: 'c1', type, fields });
const wire = (spec: ConnectionSpec, decrypted = false): ConnectionSpec => {
  const connection: Connection = { id: 'c1', createdAt: '', updatedAt: '', spec, status: {} };
  return connectionToWire(connection, decrypted).spec;
};

describe('secrets in connection URIs', () => {
  it('moves a git https password into keySecret and the user into username', () => {
    const spec = validateConnection(body('git', { uri: 'https://alice:s3cr%40t@git.example.com/repo.git' }));
    expect(spec).toMatchObject({
      uri: 'https://git.example.com/repo.git',
      username: 'alice',
      keySecret: 's3cr@t',
    });
    expect(JSON.stringify(wire(spec))).not.toContain('s3cr');
    expect(wire(spec)).toMatchObject({ uri: 'https://git.example.com/repo.git', keySecret: '*****' });
    expect(wire(spec, true).keySecret).toBe(b64('s3cr@t'));
  });

  it('moves a docker registry password into password', () => {
    const spec = validateConnection(body('docker', { uri: 'https://bob:pw@registry.example.com' }));
    expect(spec).toMatchObject({ uri: 'https://registry.example.com', username: 'bob', password: 'pw' });
  });

  it('refuses passwords and credential queries where the type keeps them elsewhere, naming the field', () => {
    const cases: [string, ConnectionBody['fields'], string][] = [
      ['git', { uri: 'ssh://git:pw@host/r.git' }, 'private key in keySecret'],
      [
        's3',
        { uri: 's3://AKIA:secret@bucket/p', region: 'r', keyID: b64('a'), keySecret: b64('b') },
        'keyID',
      ],
      ['gcs', { uri: 'gs://u:p@bucket', region: 'r', keySecret: b64('{}') }, 'service-account JSON'],
      [
        'azureblob',
        { uri: 'https://acct.blob.core.windows.net/c?sv=2020&sig=abc', keySecret: b64('x') },
        'SAS token',
      ],
      ['local', { uri: 'file://u:p@/data' }, 'takes no password'],
      ['git', { uri: 'https://host/r.git?private_token=abc' }, 'query (private_token)'],
    ];
    for (const [type, fields, message] of cases) {
      expect(() => validateConnection(body(type, fields)), fields.uri).toThrow(message);
    }
  });

  it('refuses a uri password that contradicts the field, and keeps the stored secret on a masked round trip', () => {
    expect(() =>
      validateConnection(body('git', { uri: 'https://a:one@h/r.git', keySecret: b64('two') })),
    ).toThrow('send the password in keySecret only');
    const stored = validateConnection(body('git', { uri: 'https://a:one@h/r.git' }));
    const again = validateConnection(
      body('git', { uri: 'https://a:*****@h/r.git', keySecret: '*****' }),
      stored,
    );
    expect(again).toMatchObject({ uri: 'https://h/r.git', keySecret: 'one' });
    expect(() => validateConnection(body('git', { uri: 'https://a:*****@h/r.git' }))).toThrow(
      'no stored keySecret',
    );
  });

  it('keeps a user without a password, and masks passwords left in stored URIs on every read', () => {
    expect(validateConnection(body('git', { uri: 'https://alice@h/r.git' })).uri).toBe(
      'https://alice@h/r.git',
    );
    const legacy: ConnectionSpec = { type: 'git', uri: 'https://alice:old@h/r.git?token=t&x=1' };
    expect(wire(legacy).uri).toBe('https://alice:*****@h/r.git?token=*****&x=1');
    expect(wire(legacy, true).uri).toBe(legacy.uri);
  });

  it('never shows a password of a uri on a read (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=-]{1,12}$/);
    fc.assert(
      fc.property(word, word, (user, password) => {
        const uri = `https://${user}:${password}x@host.example/r.git`;
        expect(maskUriSecrets(uri)).not.toContain(`${password}x@`);
        let spec: ConnectionSpec;
        try {
          spec = validateConnection(body('git', { uri }));
        } catch {
          return;
        }
        expect(spec.uri).not.toContain(`:${password}x`);
        expect(JSON.stringify(wire(spec))).not.toContain(`${password}x@`);
      }),
      { numRuns: 300 },
    );
  });
});
