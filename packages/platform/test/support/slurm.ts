/**
 * A real single-node Slurm for tests: installs Debian's `slurm-wlm` with apt-get when root and missing, writes a
 * slurm.conf into a temp state folder (auth/none, no munge, no accounting, `jobcomp/filetxt`), starts slurmctld and
 * slurmd on free ports, waits for the node to be idle, and stops both by pid afterwards. When Slurm cannot be had
 * (not root, no apt-get, install failed) `startSlurm` resolves with a `skip` reason instead of throwing, so tests
 * can `describe.skipIf` with a written reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, freePort, stopPid } from '@gangplank/stack';

export interface SlurmCluster {
  /** Path of slurm.conf: pass as `SLURM_CONF` / the executor's `slurmConf`. */
  conf: string;
  /** The `jobcomp/filetxt` file. */
  jobCompFile: string;
  /** Temp folder holding the state, logs, and a `work/` folder for runs. */
  dir: string;
  /** Partition name. */
  partition: string;
  /** CPUs of the node. */
  cpus: number;
  stop(): Promise<void>;
}

export type SlurmStart = { cluster: SlurmCluster; skip?: undefined } | { cluster?: undefined; skip: string };

const SBIN = ['/usr/sbin', '/usr/bin'];

function findBin(name: string): string | undefined {
  for (const dir of SBIN) if (existsSync(join(dir, name))) return join(dir, name);
  return findOnPath([name]);
}

/** Installs slurm-wlm when missing; returns a reason when it cannot. */
function ensureSlurm(): string | undefined {
  if (findBin('slurmctld') && findBin('slurmd') && findBin('sbatch')) return undefined;
  if (process.getuid?.() !== 0) return 'Slurm (slurm-wlm) is not installed and the tests do not run as root';
  if (!findOnPath(['apt-get'])) return 'Slurm (slurm-wlm) is not installed and there is no apt-get';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // apt-get update only when the package is unknown (5 s saved on a machine that already has the lists).
  const known = spawnSync('apt-cache', ['show', 'slurm-wlm'], { stdio: 'ignore' }).status === 0;
  if (!known) spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 120_000 });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'slurm-wlm'], {
    encoding: 'utf8',
    env,
    timeout: 300_000,
  });
  if (install.status !== 0 || !findBin('slurmctld')) {
    return `apt-get install slurm-wlm failed: ${(install.stderr || install.stdout || '').trim().slice(-400)}`;
  }
  return undefined;
}

function nodeHardware(slurmd: string): { cpus: number; memory: number } {
  // `slurmd -C` prints the real hardware line; RealMemory above the real memory would drain the node.
  const out = execFileSync(slurmd, ['-C'], { encoding: 'utf8' });
  const cpus = Number(/CPUs=(\d+)/.exec(out)?.[1] ?? 1);
  const memory = Number(/RealMemory=(\d+)/.exec(out)?.[1] ?? 1000);
  return { cpus, memory };
}

async function waitIdle(conf: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = spawnSync('sinfo', ['-h', '-N', '-o', '%T'], {
      encoding: 'utf8',
      env: { ...process.env, SLURM_CONF: conf },
    });
    last = `${r.stdout}${r.stderr}`.trim();
    if (last === 'idle') return last;
    await new Promise((res) => setTimeout(res, 100));
  }
  return last;
}

/** Starts a private Slurm; see the file comment. */
export async function startSlurm(): Promise<SlurmStart> {
  const missing = ensureSlurm();
  if (missing) return { skip: missing };
  const slurmctld = findBin('slurmctld');
  const slurmd = findBin('slurmd');
  if (!slurmctld || !slurmd) return { skip: 'slurmctld or slurmd not found after install' };
  const dir = mkdtempSync(join(tmpdir(), 'gp-slurm-'));
  for (const sub of ['etc', 'state', 'spool', 'log', 'run', 'work'])
    mkdirSync(join(dir, sub), { recursive: true });
  const { cpus, memory } = nodeHardware(slurmd);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'etc', 'slurm.conf');
  const jobCompFile = join(dir, 'log', 'jobcomp.txt');
  const partition = 'gangplank';
  writeFileSync(
    conf,
    [
      'ClusterName=gangplank-test',
      'SlurmctldHost=localhost',
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/none',
      'CredType=cred/none',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/run/slurmctld.pid`,
      `SlurmdPidFile=${dir}/run/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      // CR_Core: no memory tracking, so several jobs share the node (with memory, each would take it all).
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      // Without it sbatch→RUNNING takes 2–3 s; with it, the next 1 s tick.
      'SchedulerParameters=batch_sched_delay=0',
      'MpiDefault=none',
      'MailProg=/bin/true',
      'ReturnToService=2',
      'MinJobAge=300',
      'KillWait=2',
      'SlurmctldDebug=info',
      'SlurmdDebug=info',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${jobCompFile}`,
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memory} State=UNKNOWN`,
      `PartitionName=${partition} Nodes=ALL Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const pidFiles = [join(dir, 'run', 'slurmd.pid'), join(dir, 'run', 'slurmctld.pid')];
  const stop = async () => {
    for (const file of pidFiles) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0) await stopPid(pid, 5000).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const env = { ...process.env, SLURM_CONF: conf };
  // Both daemons fork and write their pid files.
  const ctld = spawnSync(slurmctld, ['-f', conf], { env, encoding: 'utf8' });
  const d = spawnSync(slurmd, ['-f', conf, '-N', 'localhost'], { env, encoding: 'utf8' });
  const state = await waitIdle(conf, 20_000);
  if (ctld.status !== 0 || d.status !== 0 || state !== 'idle') {
    const logs = ['slurmctld.log', 'slurmd.log']
      .map((f) => {
        try {
          return readFileSync(join(dir, 'log', f), 'utf8')
            .split('\n')
            .slice(-8)
            .join('\n');
        } catch {
          return '';
        }
      })
      .join('\n');
    await stop();
    throw new Error(
      `single-node Slurm did not come up idle (sinfo: "${state}"; slurmctld ${ctld.stderr} slurmd ${d.stderr})\n${logs}`,
    );
  }
  return { cluster: { conf, jobCompFile, dir, partition, cpus, stop } };
}
