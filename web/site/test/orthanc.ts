import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real DICOMweb peer (Debian's Orthanc + orthanc-dicomweb) on loopback, in a temp directory.

export interface RunningOrthanc {
  /** Orthanc's REST root, e.g. http://127.0.0.1:18042 */
  url: string;
  /** DICOMweb root, e.g. http://127.0.0.1:18042/dicom-web */
  dicomweb: string;
  store(files: Buffer[]): Promise<void>;
  stop(): Promise<void>;
}

const PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

async function waitUp(url: string, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/system`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Orthanc did not answer within ${ms} ms`);
}

export async function startOrthanc(opts: { httpPort: number; dicomPort: number }): Promise<RunningOrthanc> {
  const dir = await mkdtemp(join(tmpdir(), 'annex-orthanc-'));
  const config = {
    Name: 'annex-test',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: opts.httpPort,
    DicomPort: opts.dicomPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpServerEnabled: true,
    HttpThreadsCount: 8,
    StorageCompression: false,
    Plugins: [PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, SeriesMetadata: 'Full' },
  };
  const cfgPath = join(dir, 'orthanc.json');
  await writeFile(cfgPath, JSON.stringify(config));
  const child = spawn('/usr/sbin/Orthanc', [cfgPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${opts.httpPort}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUp(url, child, 20_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    async store(files) {
      // A few uploads in flight at once; Orthanc indexes in parallel.
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const f = files[next++] as Buffer;
          const res = await fetch(`${url}/instances`, { method: 'POST', body: new Uint8Array(f) });
          if (!res.ok) throw new Error(`Orthanc refused an instance: HTTP ${res.status}`);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    },
    stop,
  };
}
