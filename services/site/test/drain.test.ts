import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCtSeries, parseInstance, type SyntheticSeries } from '@annex/dicom';
import { createDevIssuer, type DevIssuer } from '@annex/platform';
import { freePort } from '@annex/platform/testing/free-port.ts';
import { createTestDatabase, type TestDatabase } from '@annex/platform/testing/postgres.ts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REALM, DEMO_USERS } from '../src/demo-users.ts';
import { createMinioStore } from '../src/storage/minio-store.ts';
import { C_STORE_RQ, C_STORE_RSP, startDicomLink, type WireEvent } from './dicom-link.ts';
import { startTestS3, type TestS3 } from './s3.ts';
import { runSite, type SiteProcess, siteEnv, waitUntilReady } from './site-process.ts';

// SIGTERM on the real process (src/main.ts) while dcmtk's storescu and HTTP clients are mid-way:
// what was in flight finishes and is acknowledged, nothing new is taken, the drain is bounded.
const SITE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUCKET = 'annex-drain-test';

let db: TestDatabase;
let s3: TestS3;
let sql: pg.Client;
let issuer: DevIssuer;
let jwks: http.Server;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase(SITE_DIR, 'drain');
  s3 = await startTestS3();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  // The site process verifies tokens against this key set, as it would against Keycloak's.
  jwks = http.createServer((_req, res) => res.end(JSON.stringify(issuer.jwks)));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  issuer = await createDevIssuer({
    baseUrl: 'http://127.0.0.1:1',
    realm: DEMO_REALM,
    users: DEMO_USERS,
    audience: 'annex-site',
    clients: ['annex-cli'],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'annex-drain-'));
});
afterAll(async () => {
  jwks?.close();
  await sql?.end();
  await s3?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startSite(env: Record<string, string>) {
  const [httpPort, dimsePort] = [await freePort(), await freePort()];
  const proc = runSite(
    siteEnv(db, s3, {
      HTTP_PORT: String(httpPort),
      DIMSE_PORT: String(dimsePort),
      S3_BUCKET: BUCKET,
      OIDC_ISSUER: issuer.issuer,
      OIDC_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`,
      ...env,
    }),
  );
  expect(await waitUntilReady(proc, httpPort), proc.output()).toBe(true);
  return { proc, httpPort, dimsePort };
}

/** SIGTERM, and how long after it the process exited, with which code. */
async function terminate(proc: SiteProcess) {
  const signalledAt = performance.now();
  proc.child.kill('SIGTERM');
  return { signalledAt, exit: proc.exited.then(({ code, at }) => ({ code, afterMs: at - signalledAt })) };
}

function writeSeries(series: SyntheticSeries, name: string): string[] {
  return series.files.map((file, i) => {
    const p = path.join(dir, `${name}-${String(i).padStart(3, '0')}.dcm`);
    writeFileSync(p, file);
    return p;
  });
}

/** storescu -v, and which of its files it reports stored (a Success response), in order. */
function storescu(port: number, files: string[]) {
  let out = '';
  const child = spawn('storescu', [
    '-v',
    '-aet',
    'MODALITY',
    '-aec',
    'ANNEX',
    '127.0.0.1',
    String(port),
    ...files,
  ]);
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise<{ code: number | null; out: string; stored: string[] }>((resolve) =>
    child.on('close', (code) => {
      const stored: string[] = [];
      let sending: string | undefined;
      for (const line of out.split('\n')) {
        const file = /Sending file: (.+)$/.exec(line)?.[1];
        if (file) sending = file.trim();
        if (/Received Store Response \(Success\)/.test(line) && sending) stored.push(sending);
      }
      resolve({ code, out, stored });
    }),
  );
}

/** What the index says now, and whether each row's object is in the bucket. */
async function indexState() {
  const store = createMinioStore({
    endpoint: s3.endpoint,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    bucket: BUCKET,
    region: 'us-east-1',
    partSize: 64 * 1024 * 1024,
  });
  const keys = new Set<string>();
  for await (const object of store.list('')) keys.add(object.key);
  const rows = (
    await sql.query<{ sopInstanceUid: string; objectKey: string }>(
      'SELECT "sopInstanceUid", "objectKey" FROM "Instance"',
    )
  ).rows;
  const pending = Number((await sql.query('SELECT count(*) FROM "PendingObject"')).rows[0].count);
  return {
    indexed: new Map(rows.map((r) => [r.sopInstanceUid, r.objectKey])),
    rowsWithoutObject: rows.filter((r) => !keys.has(r.objectKey)).map((r) => r.sopInstanceUid),
    pending,
    /** The stored object's own SOP Instance UID (what was written is the instance acknowledged). */
    async objectSop(sop: string) {
      return parseInstance(await store.getBuffer(rows.find((r) => r.sopInstanceUid === sop)!.objectKey))
        .sopInstanceUid;
    },
  };
}

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const isIndexed = (sop: string) => async () =>
  (await sql.query('SELECT 1 FROM "Instance" WHERE "sopInstanceUid" = $1', [sop])).rowCount === 1;

/** A request whose body the test writes piece by piece (chunked), as a slow client does. */
function slowRequest(port: number, urlPath: string, headers: Record<string, string>) {
  const request = http.request({
    host: '127.0.0.1',
    port,
    path: urlPath,
    method: 'POST',
    headers,
    agent: false,
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    request.on('error', reject);
  });
  response.catch(() => {});
  request.flushHeaders();
  return { write: (chunk: Buffer) => request.write(chunk), end: () => request.end(), response };
}

const BOUNDARY = 'annex-drain-boundary';
const partHead = () => Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`);
const partTail = Buffer.from('\r\n');
const closing = Buffer.from(`--${BOUNDARY}--\r\n`);
const stowHeaders = async () => ({
  'content-type': `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
  authorization: `Bearer ${await issuer.mint('admin')}`,
});

/** A new request after the drain began: refused outright, or answered 503 (on a fresh connection). */
const refusedOrUnavailable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 503);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

type CommandEvent = Extract<WireEvent, { pdu: 'command' }>;
const isCommand = (e: WireEvent): e is CommandEvent => e.pdu === 'command';
const storeRequests = (events: WireEvent[]) =>
  events.filter(isCommand).filter((e) => e.from === 'peer' && e.field === C_STORE_RQ);
const storeResponses = (events: WireEvent[]) =>
  events.filter(isCommand).filter((e) => e.from === 'site' && e.field === C_STORE_RSP);

describe('SIGTERM drain', () => {
  it('finishes the C-STORE storescu is sending, acknowledges it, then aborts the association at that instance boundary', async () => {
    const { proc, dimsePort } = await startSite({ ROLES: 'api,dimse', SHUTDOWN_GRACE_MS: '20000' });
    // ~0.5 MB per instance at 0.5 MB/s: a series of 12 takes ~12 s, far longer than the old 5-s
    // wait, and the signal lands while an instance is on the wire.
    const series = makeCtSeries({ seed: 'drain-dimse', slices: 12, rows: 512, cols: 512 });
    const files = writeSeries(series, 'dimse');
    const link = await startDicomLink(dimsePort, { peerBytesPerSecond: 512 * 1024 });
    try {
      const push = storescu(link.port, files);
      let starts = 0;
      await link.when((e) => e.from === 'peer' && e.pdu === 'dataset-start' && ++starts === 3);
      const { signalledAt, exit } = await terminate(proc);
      const [result, exited] = await Promise.all([push, exit]);

      expect(exited.code, proc.output()).toBe(0);
      expect(exited.afterMs).toBeLessThan(20_000);
      const events = link.events;
      const acked = storeResponses(events).filter((e) => e.status === 0);
      // The signal landed mid-association: the instance on the wire was still acknowledged after it.
      expect(acked.filter((e) => e.at > signalledAt).length).toBeGreaterThanOrEqual(1);
      // The push was cut short at an instance boundary by an A-ABORT from the site, and every
      // C-STORE the site had begun to receive before that was answered with Success.
      expect(acked.length).toBeLessThan(files.length);
      const abort = events.find((e) => e.from === 'site' && e.pdu === 'abort');
      expect(abort, JSON.stringify(events.slice(-8))).toBeDefined();
      // Measured at the link, storescu's next command (and its first fragment) can pass the proxy
      // before the site's abort does: it sends it the moment the last response reaches it. So the
      // rule is checked on what the site had received in full before it aborted.
      const peerDatasetEnds = events.filter((e) => e.from === 'peer' && e.pdu === 'dataset-end');
      const receivedInFull = storeRequests(events).filter((request) => {
        const end = peerDatasetEnds.find((e) => e.seq > request.seq);
        return end !== undefined && end.seq < abort!.seq;
      });
      expect(receivedInFull.map((e) => e.sopInstanceUid)).toEqual(
        acked.filter((e) => e.seq < abort!.seq).map((e) => 'sopInstanceUid' in e && e.sopInstanceUid),
      );
      // Nothing was refused: what was not acknowledged got no answer at all, for the PACS to retry.
      expect(storeResponses(events).filter((e) => e.status !== 0)).toEqual([]);
      // storescu saw the same: what it reports stored is what the site acknowledged.
      expect(result.code, result.out).not.toBe(0);
      const reported = result.stored.map((file) => series.sopInstanceUids[files.indexOf(file)]!);
      expect(reported).toEqual(acked.map((e) => 'sopInstanceUid' in e && e.sopInstanceUid));

      const state = await indexState();
      for (const sop of reported) {
        expect(state.indexed.has(sop), sop).toBe(true);
        expect(await state.objectSop(sop)).toBe(sop);
      }
      // Nothing acknowledged is missing, nothing unacknowledged was kept half-way.
      for (const sop of series.sopInstanceUids.filter((s) => !reported.includes(s)))
        expect(state.indexed.has(sop)).toBe(false);
      expect(state.rowsWithoutObject).toEqual([]);
      expect(state.pending).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
      await link.close();
    }
  }, 90_000);

  it('lets a slowly streamed STOW-RS request and a file upload finish with their normal responses, and refuses new requests', async () => {
    const { proc, httpPort } = await startSite({ ROLES: 'api', SHUTDOWN_GRACE_MS: '20000' });
    const stowSeries = makeCtSeries({ seed: 'drain-stow', slices: 2, rows: 128, cols: 128 });
    const [first, second] = stowSeries.files as [Buffer, Buffer];
    const upload = makeCtSeries({ seed: 'drain-upload', slices: 1, rows: 128, cols: 128 });
    const uploadFile = upload.files[0]!;
    try {
      const stow = slowRequest(httpPort, '/dicomweb/studies', await stowHeaders());
      stow.write(Buffer.concat([partHead(), first, partTail, partHead(), second.subarray(0, 1000)]));
      const put = slowRequest(httpPort, '/api/uploads', {
        'content-type': 'application/dicom',
        'content-disposition': 'attachment; filename="slice.dcm"',
        authorization: `Bearer ${await issuer.mint('admin')}`,
      });
      put.write(uploadFile.subarray(0, 1000));
      // Both handlers are running: STOW-RS stored its first part, the upload has its row.
      await until('the first STOW part', isIndexed(stowSeries.sopInstanceUids[0]!));
      await until(
        'the upload to start',
        async () => (await sql.query(`SELECT 1 FROM "Upload" WHERE status = 'receiving'`)).rowCount === 1,
      );

      const { exit } = await terminate(proc);
      await until('the drain to refuse new requests', () => refusedOrUnavailable(httpPort));
      stow.write(Buffer.concat([second.subarray(1000), partTail, closing]));
      stow.end();
      put.write(uploadFile.subarray(1000));
      put.end();

      const stowResponse = await stow.response;
      expect(stowResponse.status, stowResponse.body).toBe(200);
      expect(stowResponse.body).toContain(stowSeries.sopInstanceUids[1]!);
      const putResponse = await put.response;
      expect(putResponse.status, putResponse.body).toBe(202);
      const exited = await exit;
      expect(exited.code, proc.output()).toBe(0);
      expect(exited.afterMs).toBeLessThan(20_000);

      const state = await indexState();
      for (const sop of [...stowSeries.sopInstanceUids, upload.sopInstanceUids[0]!]) {
        expect(state.indexed.has(sop), sop).toBe(true);
        expect(await state.objectSop(sop)).toBe(sop);
      }
      // The upload's background ingest also finished before the process exited.
      const { rows } = await sql.query('SELECT status, stored FROM "Upload" WHERE id = $1', [
        JSON.parse(putResponse.body).id,
      ]);
      expect(rows[0]).toEqual({ status: 'done', stored: 1 });
      expect(state.rowsWithoutObject).toEqual([]);
      expect(state.pending).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 90_000);

  it('cuts an association and a request that never finish at SHUTDOWN_GRACE_MS, and leaves nothing half-written', async () => {
    const grace = 2000;
    const { proc, httpPort, dimsePort } = await startSite({
      ROLES: 'api,dimse',
      SHUTDOWN_GRACE_MS: String(grace),
    });
    const series = makeCtSeries({ seed: 'drain-stall', slices: 4, rows: 512, cols: 512 });
    const files = writeSeries(series, 'stall');
    const stowSeries = makeCtSeries({ seed: 'drain-stall-stow', slices: 2, rows: 128, cols: 128 });
    const link = await startDicomLink(dimsePort, { peerBytesPerSecond: 512 * 1024 });
    try {
      const push = storescu(link.port, files);
      // The second instance starts, then its sender's network goes dead.
      let starts = 0;
      await link.when((e) => e.from === 'peer' && e.pdu === 'dataset-start' && ++starts === 2);
      link.stall();
      const stow = slowRequest(httpPort, '/dicomweb/studies', await stowHeaders());
      stow.write(
        Buffer.concat([
          partHead(),
          stowSeries.files[0]!,
          partTail,
          partHead(),
          stowSeries.files[1]!.subarray(0, 1000),
        ]),
      );
      await until('the first STOW part', isIndexed(stowSeries.sopInstanceUids[0]!));

      const { exit } = await terminate(proc);
      const exited = await exit;
      expect(exited.code, proc.output()).toBe(0);
      // It waited for the stalled work until the deadline, and not much longer.
      expect(exited.afterMs).toBeGreaterThanOrEqual(grace - 100);
      expect(exited.afterMs).toBeLessThan(grace + 4000);
      await expect(stow.response).rejects.toThrow();
      const result = await push;
      expect(result.code).not.toBe(0);
      expect(storeResponses(link.events).length).toBe(1);

      const state = await indexState();
      const reported = result.stored.map((file) => series.sopInstanceUids[files.indexOf(file)]!);
      expect(reported).toEqual([series.sopInstanceUids[0]]);
      expect(state.indexed.has(series.sopInstanceUids[0]!)).toBe(true);
      expect(state.indexed.has(series.sopInstanceUids[1]!)).toBe(false);
      expect(state.indexed.has(stowSeries.sopInstanceUids[1]!)).toBe(false);
      expect(state.rowsWithoutObject).toEqual([]);
      expect(state.pending).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
      await link.close();
    }
  }, 90_000);
});
