/**
 * Memory of a large zip upload: builds a zip of synthetic 512×512 CT slices in /tmp (entries
 * stored, not deflated, so it is cheap to build; every slice has its own UIDs so each one is a
 * real new instance, not a duplicate), POSTs it to /api/uploads of a site child process (api +
 * dimse roles, real Postgres/Redis, s3rver in its own process), polls GET /api/uploads/{id} until
 * done, and samples the site process's VmRSS from /proc/<pid>/status every 100 ms. Prints the idle
 * baseline, the peak while receiving and while ingesting, against the 400 MB target.
 *
 * Run: `npx tsx scripts/bench/ingest/zip-memory.ts [--gb 2] [--max-s 360]`.
 * Bounded: after --max-s seconds of upload + ingest it stops, says so, and prints the rates so the
 * full size can be extrapolated. The zip and the site's temp copy are deleted in any case.
 */
import {
  closeSync,
  createReadStream,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';
import { makeCtSeries } from '../../../services/dicom/src/index.ts';
import { UPLOAD_TMP_DIR } from '../../../services/site/src/modules/uploads/receive.ts';
import { startSiteWithS3 } from './bench-children.ts';

const { values: args } = parseArgs({
  options: { gb: { type: 'string', default: '2' }, 'max-s': { type: 'string', default: '360' } },
});
const GB = Number(args.gb);
const MAX_MS = Number(args['max-s']) * 1000;
const TARGET_MB = 400;
const SLICES_PER_SERIES = 100;
// Plain zip (no zip64): offsets and sizes must stay below 4 GiB.
if (!(GB > 0 && GB <= 3.9)) throw new Error('--gb must be in (0, 3.9]; this writer does not do zip64');
const targetBytes = Math.round(GB * 1024 ** 3);

// The zip, the site's temp copy of it and s3rver's copy of every object all land on /tmp.
const free = (() => {
  const s = statfsSync(tmpdir());
  return s.bavail * s.bsize;
})();
console.log(
  `free on ${tmpdir()}: ${(free / 1024 ** 3).toFixed(1)} GiB; need about ${(3.2 * GB).toFixed(1)} GiB`,
);
if (free < 3.2 * targetBytes)
  throw new Error('not enough free space on /tmp for zip + temp copy + S3 objects');

// --- the zip: one generated series, re-labelled per copy (UIDs changed in place, same length) ---
const base = makeCtSeries({ seed: 'bench-zip-memory', slices: SLICES_PER_SERIES, rows: 512, cols: 512 });
for (const uid of [
  base.study.studyInstanceUid,
  base.seriesInstanceUid,
  base.frameOfReferenceUid,
  ...base.sopInstanceUids,
])
  if (!uid.startsWith('2.25.') || uid.length < 9) throw new Error('expected 2.25.<digits> UIDs');
// UIDs live in the header; the pixel data (the bulk) is shared between copies and never scanned.
const HEADER_SCAN = 8192;

/** Copy k of file i: the three digits after "2.25." of every UID of the series become 100+k. */
function header(i: number, k: number): Buffer {
  const file = base.files[i]!;
  const head = Buffer.from(file.subarray(0, Math.min(HEADER_SCAN, file.length)));
  const tag = String(100 + k);
  const uids = [
    base.study.studyInstanceUid,
    base.seriesInstanceUid,
    base.frameOfReferenceUid,
    base.sopInstanceUids[i]!,
  ];
  for (const uid of uids) {
    const from = Buffer.from(uid);
    const to = Buffer.from(`2.25.${tag}${uid.slice(8)}`);
    for (let at = head.indexOf(from); at >= 0; at = head.indexOf(from, at + from.length)) to.copy(head, at);
  }
  return head;
}

const zipPath = path.join(tmpdir(), `annex-bench-zip-memory-${process.pid}.zip`);

function buildZip(): { bytes: number; entries: number } {
  const fd = openSync(zipPath, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  let entries = 0;
  const write = (b: Buffer) => {
    writeSync(fd, b);
    offset += b.length;
  };
  try {
    for (let k = 0; offset < targetBytes; k++) {
      if (k >= 900) throw new Error('too many copies for the 3-digit relabelling');
      for (let i = 0; i < base.files.length && offset < targetBytes; i++) {
        const head = header(i, k);
        const tail = base.files[i]!.subarray(head.length);
        const size = head.length + tail.length;
        const crc = crc32(tail, crc32(head));
        const name = Buffer.from(`series-${k}/slice-${String(i).padStart(4, '0')}.dcm`);
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4); // version needed
        local.writeUInt16LE(0, 6); // flags
        local.writeUInt16LE(0, 8); // method: stored
        local.writeUInt16LE(0, 10); // time
        local.writeUInt16LE(0x21, 12); // date: 1980-01-01
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(size, 18);
        local.writeUInt32LE(size, 22);
        local.writeUInt16LE(name.length, 26);
        local.writeUInt16LE(0, 28);
        const cd = Buffer.alloc(46);
        cd.writeUInt32LE(0x02014b50, 0);
        cd.writeUInt16LE(20, 4); // made by
        cd.writeUInt16LE(20, 6); // needed
        cd.writeUInt16LE(0, 8);
        cd.writeUInt16LE(0, 10);
        cd.writeUInt16LE(0, 12);
        cd.writeUInt16LE(0x21, 14);
        cd.writeUInt32LE(crc, 16);
        cd.writeUInt32LE(size, 20);
        cd.writeUInt32LE(size, 24);
        cd.writeUInt16LE(name.length, 28);
        cd.writeUInt32LE(offset, 42); // local header offset; fields 30..41 stay 0
        central.push(cd, name);
        write(local);
        write(name);
        write(head);
        write(tail);
        entries++;
      }
    }
    const cdStart = offset;
    for (const b of central) write(b);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries, 8);
    end.writeUInt16LE(entries, 10);
    end.writeUInt32LE(offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    if (entries > 0xffff) throw new Error('more than 65535 entries needs zip64');
    write(end);
    return { bytes: offset, entries };
  } finally {
    closeSync(fd);
  }
}

const rssBytes = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
};
const mb = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;

/** Streams the zip as the request body; resolves with the upload id once the site answers. */
function post(baseUrl: string, token: string, bytes: number): Promise<{ id: string; totalEntries: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}/api/uploads`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/zip',
          'content-length': String(bytes),
          'content-disposition': 'attachment; filename="bench.zip"',
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () =>
          res.statusCode === 202
            ? resolve(JSON.parse(body))
            : reject(new Error(`upload answered ${res.statusCode}: ${body.slice(0, 300)}`)),
        );
      },
    );
    req.setTimeout(MAX_MS, () => req.destroy(new Error('upload timed out')));
    req.on('error', reject);
    createReadStream(zipPath).pipe(req);
  });
}

interface Progress {
  status: string;
  processedEntries: number;
  totalEntries: number;
  stored: number;
  duplicates: number;
  failed: number;
  errorCode: string | null;
}

let site: Awaited<ReturnType<typeof startSiteWithS3>> | undefined;
let zip = { bytes: 0, entries: 0 };
// Killed from outside (^C): take the servers down and the 2 GB files with them.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    rmSync(zipPath, { force: true });
    void (site?.stop() ?? Promise.resolve()).then(() => process.exit(1));
  });
}
try {
  const t0 = performance.now();
  zip = buildZip();
  console.log(
    `zip: ${mb(zip.bytes)}, ${zip.entries} CT slices of 512×512×16 bit, stored; built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  site = await startSiteWithS3();
  const pid = site.child.pid!;
  // Idle baseline: let start-up garbage settle, then take the median of 2 s of samples.
  await new Promise((r) => setTimeout(r, 3000));
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    idle.push(rssBytes(pid));
    await new Promise((r) => setTimeout(r, 100));
  }
  const baseline = idle.sort((a, b) => a - b)[10]!;
  console.log(`site pid ${pid}, idle RSS ${mb(baseline)}`);

  let phase: 'receive' | 'ingest' = 'receive';
  const peak = { receive: 0, ingest: 0 };
  let last = 0;
  const sampler = setInterval(() => {
    try {
      last = rssBytes(pid);
      peak[phase] = Math.max(peak[phase], last);
    } catch {
      // the process is gone; the poll loop reports it
    }
  }, 100);
  const started = performance.now();
  const deadline = started + MAX_MS;
  let progress: Progress | undefined;
  let receiveS = 0;
  let endedAt = 0;
  try {
    const { id, totalEntries } = await post(site.baseUrl, site.token, zip.bytes);
    receiveS = (performance.now() - started) / 1000;
    phase = 'ingest';
    console.log(
      `received: ${totalEntries} entries in ${receiveS.toFixed(1)} s (${(zip.bytes / 1024 ** 2 / receiveS).toFixed(0)} MB/s), peak RSS so far ${mb(peak.receive)}`,
    );
    let lastPrint = 0;
    while (performance.now() < deadline) {
      const res = await fetch(`${site.baseUrl}/api/uploads/${id}?limit=1`, {
        headers: { authorization: `Bearer ${site.token}` },
      });
      if (!res.ok) throw new Error(`GET /api/uploads/{id} answered ${res.status}`);
      progress = (await res.json()) as Progress;
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        console.log(
          `  t=${((performance.now() - started) / 1000).toFixed(0)} s: ${progress.processedEntries}/${progress.totalEntries} entries, RSS ${mb(last)}, peak ${mb(Math.max(peak.receive, peak.ingest))}`,
        );
      }
      if (progress.status === 'done' || progress.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    endedAt = performance.now();
    // Does the memory come back once the upload is done (garbage not yet collected) or stay (held)?
    await new Promise((r) => setTimeout(r, 10_000));
  } finally {
    clearInterval(sampler);
  }
  const totalS = ((endedAt || performance.now()) - started) / 1000;
  const ingestS = totalS - receiveS;
  const finished = progress?.status === 'done' || progress?.status === 'failed';
  const processed = progress?.processedEntries ?? 0;
  const perEntry = zip.bytes / zip.entries;
  console.log(`\nzip upload of ${mb(zip.bytes)} (${zip.entries} entries)`);
  console.log(
    `outcome: ${finished ? progress!.status : `NOT finished within ${MAX_MS / 1000} s`}; ${processed}/${zip.entries} processed, stored ${progress?.stored ?? 0}, duplicates ${progress?.duplicates ?? 0}, failed ${progress?.failed ?? 0}${progress?.errorCode ? `, error ${progress.errorCode}` : ''}`,
  );
  console.log(
    `receive ${receiveS.toFixed(1)} s (${(zip.bytes / 1024 ** 2 / receiveS).toFixed(0)} MB/s); ingest ${ingestS.toFixed(1)} s, ${(processed / ingestS).toFixed(1)} entries/s = ${((processed * perEntry) / 1024 ** 2 / ingestS).toFixed(1)} MB/s`,
  );
  if (!finished && processed > 0)
    console.log(
      `extrapolated ingest of all ${zip.entries} entries: ${((zip.entries / processed) * ingestS).toFixed(0)} s`,
    );
  console.log(`RSS 10 s after the upload finished: ${mb(last)}`);
  const worst = Math.max(peak.receive, peak.ingest);
  console.log(
    `RSS idle ${mb(baseline)} | peak receiving ${mb(peak.receive)} | peak ingesting ${mb(peak.ingest)}`,
  );
  console.log(
    `peak RSS ${mb(worst)} (+${mb(worst - baseline)} over idle): target ≤ ${TARGET_MB} MB ${worst <= TARGET_MB * 1024 ** 2 ? 'met' : 'NOT met'}`,
  );
} finally {
  rmSync(zipPath, { force: true });
  await site?.stop();
  // A site stopped mid-ingest (SIGKILL after its grace period) leaves its temp copy: it is the
  // only file there of exactly our size, so remove that one and nobody else's.
  for (const name of (() => {
    try {
      return readdirSync(UPLOAD_TMP_DIR);
    } catch {
      return [];
    }
  })()) {
    const file = path.join(UPLOAD_TMP_DIR, name);
    try {
      if (zip.bytes > 0 && statSync(file).size === zip.bytes) rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
}
process.exit(0);
