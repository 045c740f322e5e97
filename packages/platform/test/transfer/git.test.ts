import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunError } from '../../src/domain/run-error.js';
import { fetchGitSource, redactUrl } from '../../src/transfer/git.js';
import {
  makeFakeSsh,
  makeRepo,
  startGitHttpServer,
  type GitHttpServer,
  type TestRepo,
} from '../fixtures/git.js';
import { failure, tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-git-');
let repo: TestRepo;
let bare: string;
let secured: GitHttpServer;
const TOKEN = 'ghp_s3cr3t-T0KEN-value';

beforeAll(async () => {
  repo = makeRepo(join(root, 'origin'), { 'project/MLproject': 'name: x\n' });
  bare = join(root, 'served', 'repo.git');
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['clone', '-q', '--bare', repo.path, bare]);
  secured = await startGitHttpServer(join(root, 'served'), TOKEN);
});

afterAll(async () => {
  await secured.close();
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
async function fetchInto(
  connection: Parameters<typeof fetchGitSource>[0]['connection'],
  reference?: string,
  env?: NodeJS.ProcessEnv,
) {
  const dir = join(root, `ws-${n++}`);
  const logs: string[] = [];
  const result = await fetchGitSource({
    connection,
    reference,
    target: join(dir, 'workspace'),
    secretsDir: join(dir, 'secrets'),
    log: (t) => logs.push(t),
    ...(env ? { env } : {}),
  });
  return { result, logs, dir, version: readFileSync(join(dir, 'workspace', 'version.txt'), 'utf8').trim() };
}

describe('git source', () => {
  const local = () => ({ id: 'repo', type: 'git', uri: repo.path });

  it('checks out the default branch of a local repository and records the commit', async () => {
    const { result, version } = await fetchInto(local());
    expect(result.commitId).toBe(repo.commits.main2);
    expect(version).toBe('two');
  });

  it('resolves a branch, a tag, a full commit and a short commit', async () => {
    expect((await fetchInto(local(), 'feature')).result.commitId).toBe(repo.commits.feature);
    expect((await fetchInto(local(), 'v1')).result.commitId).toBe(repo.commits.main1);
    expect((await fetchInto(local(), repo.commits.main1)).version).toBe('one');
    expect((await fetchInto(local(), repo.commits.feature.slice(0, 8))).version).toBe('feature');
    expect((await fetchInto(local(), 'origin/feature')).result.commitId).toBe(repo.commits.feature);
  });

  it('takes the reference from the connection when the training has none', async () => {
    const { result } = await fetchInto({ ...local(), reference: 'v1' });
    expect(result.commitId).toBe(repo.commits.main1);
  });

  it('fails with a SourceError on an unknown reference', async () => {
    const error = await failure(fetchInto(local(), 'no-such-branch'));
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).reason).toBe('SourceError');
    expect((error as Error).message).toContain(
      'reference "no-such-branch" is neither a branch, a tag nor a commit',
    );
  });

  it('clones over https with a token that never shows in messages, logs or files', async () => {
    const uri = `${secured.url}/repo.git`;
    const { result, logs, dir } = await fetchInto(
      { id: 'https', type: 'git', uri, password: TOKEN },
      'feature',
    );
    expect(result.commitId).toBe(repo.commits.feature);
    expect(
      secured.authorizations.some((a) => Buffer.from(a.slice(6), 'base64').toString().endsWith(`:${TOKEN}`)),
    ).toBe(true);
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(readdirSync(join(dir, 'secrets'))).toEqual([]); // askpass removed
    expect(readFileSync(join(dir, 'workspace', '.git', 'config'), 'utf8')).not.toContain(TOKEN);
  });

  it('moves credentials written into the URL out of git’s arguments and config', async () => {
    const uri = `${secured.url.replace('http://', 'http://bob:' + TOKEN + '@')}/repo.git`;
    const { result, dir, logs } = await fetchInto({ id: 'inline', type: 'git', uri });
    expect(result.commitId).toBe(repo.commits.main2);
    expect(readFileSync(join(dir, 'workspace', '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('fails cleanly with a wrong token, without echoing it', async () => {
    const uri = `${secured.url}/repo.git`;
    const error = await failure(fetchInto({ id: 'https', type: 'git', uri, password: 'wrong-token-123' }));
    expect((error as RunError).reason).toBe('SourceError');
    expect(error.message).not.toContain('wrong-token-123');
  });

  it('hides user info of a URL in messages', async () => {
    expect(redactUrl('https://user:tok@example.com/r.git')).toBe('https://example.com/r.git');
    const error = await failure(
      fetchInto({
        id: 'x',
        type: 'git',
        uri: 'http://user:pa55word@127.0.0.1:1/r.git',
      }),
    );
    expect(error.message).not.toContain('pa55word');
  });

  it('clones over ssh with the connection key in a 0600 file named in GIT_SSH_COMMAND, removed afterwards', async () => {
    const fake = makeFakeSsh(join(root, 'fake-ssh'));
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----';
    const { result, dir } = await fetchInto(
      {
        id: 'ssh',
        type: 'git',
        uri: `git@gitserver:${bare}`,
        keySecret: key,
        publicKey: 'ssh-ed25519 AAAAC3Nz',
      },
      'v1',
      { ...process.env, PATH: `${fake}:${process.env.PATH}` },
    );
    expect(result.commitId).toBe(repo.commits.main1);
    const calls = readFileSync(join(fake, 'ssh.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: unknown; args: string[] });
    expect(calls[0]!.key).toEqual({ mode: '600', content: `${key}\n` });
    expect(calls[0]!.args).toEqual(
      expect.arrayContaining(['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes']),
    );
    expect(calls[0]!.args.join(' ')).not.toContain('fake\n');
    expect(existsSync(join(dir, 'secrets', 'id_key'))).toBe(false);
    expect(existsSync(join(dir, 'secrets', 'known_hosts'))).toBe(false);
  });
});
