// Starting the ingest benches' servers as child processes: s3-process.ts and site-process.ts (the
// same children run.ts starts), each answering one line of JSON when ready. run.ts keeps its own
// copy because it runs its whole benchmark at import time; the newer benches share this one.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../dicomweb/orthanc.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface RunningSite {
  /** The site's own process (node), e.g. for reading its RSS. */
  child: ChildProcess;
  baseUrl: string;
  dimsePort: number;
  /** An admin bearer token from the embedded issuer, valid for an hour. */
  token: string;
  /** SIGTERM to the site and its S3 server; waits for both to exit (bounded). */
  stop(): Promise<void>;
}

/** Starts a long-running tsx child and resolves with the first JSON line it prints. */
export function startJsonChild(
  script: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(script)} not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, info: JSON.parse(line) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(script)} exited with ${code}`));
    });
  });
}

/** Resolves once the child exits, or after `ms` (then it is SIGKILLed). */
export function stopChild(child: ChildProcess, ms = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
}

/** An S3 server and the site (api + dimse roles, fresh database) in two processes. */
export async function startSiteWithS3(): Promise<RunningSite> {
  const s3 = await startJsonChild(path.join(HERE, 's3-process.ts'), {});
  try {
    const httpPort = await freePort();
    const dimsePort = await freePort();
    const site = await startJsonChild(path.join(HERE, 'site-process.ts'), {
      BENCH_HTTP_PORT: String(httpPort),
      BENCH_DIMSE_PORT: String(dimsePort),
      BENCH_S3_ENDPOINT: s3.info.endpoint!,
    });
    return {
      child: site.child,
      baseUrl: `http://127.0.0.1:${httpPort}`,
      dimsePort,
      token: site.info.token!,
      stop: async () => {
        await stopChild(site.child);
        // s3rver deletes its directory on SIGTERM; after a 2 GB run that takes well over 10 s.
        await stopChild(s3.child, 120_000);
      },
    };
  } catch (error) {
    await stopChild(s3.child);
    throw error;
  }
}
