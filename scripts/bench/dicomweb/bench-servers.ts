// What the DICOMweb benchmarks (run.ts, annotator-series.ts) run against: the series written to a temp
// folder, S3 (s3rver) and the site each in a child process of their own, Orthanc with the same series
// uploaded, and a watchdog that stops the whole run after `maxMs`. `stop()` takes everything down.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startOrthanc } from './orthanc.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');

/** What site-server.ts prints once the series is ingested. */
export interface BenchSite {
  url: string;
  tokens: { phil: string; ana: string };
  deidUids: Array<{ study: string; series: string; sop: string }>;
  s3: { endpoint: string; bucket: string; ranges: Array<{ key: string; offset: number; length: number }> };
}

export interface BenchServers {
  site: BenchSite;
  sitePid: number;
  orthanc: Awaited<ReturnType<typeof startOrthanc>>;
  /** Orthanc's instance ids, in the order of the files. */
  orthancIds: string[];
  stop(): Promise<void>;
}

export async function startBenchServers(
  files: readonly Buffer[],
  options: { name: string; maxMs: number; log?: (line: string) => void },
): Promise<BenchServers> {
  const log = options.log ?? (() => undefined);
  const children: ChildProcess[] = [];
  process.on('exit', () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });
  const watchdog = setTimeout(() => {
    console.error(`benchmark exceeded ${options.maxMs / 1000} s; stopping`);
    process.exit(2);
  }, options.maxMs);

  const dir = mkdtempSync(join(tmpdir(), `annex-bench-${options.name}-`));
  files.forEach((f, i) => {
    writeFileSync(join(dir, `${String(i).padStart(5, '0')}.dcm`), f);
  });
  const firstLine = (child: ChildProcess) =>
    new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`a benchmark child exited with ${code}`)));
    });
  const tsx = (script: string, ...args: string[]) => {
    // SITE_CPU_PROF=<dir>: the site child writes a V8 CPU profile there when it exits.
    const prof =
      script === 'site-server.ts' && process.env.SITE_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.SITE_CPU_PROF]
        : [];
    const started = spawn(process.execPath, [...prof, '--import', 'tsx', join(here, script), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(started);
    return started;
  };
  // Object storage in a process of its own, as a real S3 server would be (the tests' s3rver runs in-process).
  const s3Child = tsx('s3-server.ts');
  const { endpoint } = JSON.parse(await firstLine(s3Child)) as { endpoint: string };
  log('starting the site (child process) and ingesting…');
  const siteChild = tsx('site-server.ts', dir, endpoint);
  const site = JSON.parse(await firstLine(siteChild)) as BenchSite;

  log('starting Orthanc and uploading…');
  const orthanc = await startOrthanc();
  const orthancIds: string[] = [];
  for (const file of files) {
    const res = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: new Uint8Array(file) });
    orthancIds.push(((await res.json()) as { ID: string }).ID);
  }
  return {
    site,
    sitePid: siteChild.pid!,
    orthanc,
    orthancIds,
    async stop() {
      orthanc.stop();
      siteChild.kill('SIGTERM');
      await new Promise((r) => siteChild.once('exit', r));
      s3Child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      clearTimeout(watchdog);
    },
  };
}
