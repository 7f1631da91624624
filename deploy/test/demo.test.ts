import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCtSeries, makeStudy } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './deployment.ts';

// The README's first command, exactly as a new user runs it (after the install): `npm run demo`,
// then the README's own `npm run -s token` and `storescu` lines against it, then Ctrl-C's signal.
const SITE = 'http://127.0.0.1:8080';
const CLOUD = 'http://127.0.0.1:8090';
const DIMSE_PORT = 11112;

let demo: ChildProcess;
let output = '';
let exited: Promise<string>;
let work: string;

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
const npm = (...args: string[]) => execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8' }).trim();

beforeAll(async () => {
  for (const port of [8080, 8090, DIMSE_PORT, 9900])
    expect(await portOpen(port), `port ${port} is taken: the demo needs it`).toBe(false);
  work = mkdtempSync(path.join(tmpdir(), 'annex-demo-test-'));
  // The machine's environment as a user has it; only the test's own variables are dropped.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV'),
  );
  // Its own process group, so that the test can press Ctrl-C as a terminal does: SIGINT to the group.
  demo = spawn('npm', ['run', 'demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  demo.stdout!.on('data', (d) => (output += d));
  demo.stderr!.on('data', (d) => (output += d));
  // 'close', not 'exit': npm can end before the last lines its script printed have been read from the pipe.
  exited = new Promise((resolve) => demo.on('close', (code, signal) => resolve(signal ?? `exit ${code}`)));
  // A fresh clone builds both web apps on the first start: give it minutes.
  const deadline = Date.now() + 420_000;
  while (!output.includes('Annex demo is running')) {
    if (demo.exitCode !== null || Date.now() > deadline)
      throw new Error(`the demo did not come up (exit ${demo.exitCode}):\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 480_000);

afterAll(async () => {
  if (demo?.pid && groupAlive(demo.pid)) {
    process.kill(-demo.pid, 'SIGKILL');
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run demo (the README’s first command)', () => {
  it('answers /readyz on the site and the cloud', async () => {
    for (const base of [SITE, CLOUD]) {
      const response = await fetch(`${base}/readyz`);
      expect(response.status, `${base}/readyz`).toBe(200);
    }
  });

  it('takes a storescu push and shows the study in QIDO with a token from `npm run -s token`', async () => {
    const series = makeCtSeries({
      study: makeStudy(`demo-smoke-${randomBytes(4).toString('hex')}`),
      slices: 3,
      rows: 64,
      cols: 64,
    });
    const files = series.files.map((file, i) => {
      const target = path.join(work, `${i}.dcm`);
      writeFileSync(target, file);
      return target;
    });
    execFileSync('storescu', ['-aec', 'ANNEX', '127.0.0.1', String(DIMSE_PORT), ...files]);
    const token = npm('run', '-s', 'token', '--', 'admin');
    const response = await fetch(
      `${SITE}/dicomweb/studies?StudyInstanceUID=${series.study.studyInstanceUid}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.status).toBe(200);
    const studies = (await response.json()) as Array<Record<string, { Value?: unknown[] }>>;
    expect(studies).toHaveLength(1);
    expect(studies[0]!['00201208']?.Value).toEqual([3]);
  });

  it('stops cleanly on Ctrl-C: the demo closes everything, no process is left and every port is free', async () => {
    process.kill(-demo.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 60_000))]);
    // npm ends itself with the SIGINT it got once its script has exited (a shell shows 130).
    expect(['exit 0', 'SIGINT'], output.slice(-2000)).toContain(code);
    expect(output).toContain('Annex demo stopped');
    await new Promise((r) => setTimeout(r, 500));
    expect(groupAlive(demo.pid!), 'a process of the demo outlived it').toBe(false);
    for (const port of [8080, 8090, DIMSE_PORT, 9900])
      expect(await portOpen(port), `port ${port}`).toBe(false);
  });
});
