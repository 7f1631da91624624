import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeCtSeries, makeMrSeries, makeMultiframe, parseInstance } from '@annex/dicom';
import dimse from 'dcmjs-dimse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { type DimseServer, startDimseServer } from './server.ts';

const run = promisify(execFile);
let site: TestSite;
let server: DimseServer;
let dir: string;

beforeAll(async () => {
  site = await startTestSite({ DIMSE_AE_TITLE: 'ANNEX' });
  server = await startDimseServer(site.app, { port: 0, host: '127.0.0.1' });
  dir = mkdtempSync(path.join(tmpdir(), 'annex-dimse-'));
});
afterAll(async () => {
  await server?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeFiles(name: string, files: Buffer[]): string[] {
  return files.map((file, i) => {
    const p = path.join(dir, `${name}-${i}.dcm`);
    writeFileSync(p, file);
    return p;
  });
}

const storescu = (options: string[], files: string[]) =>
  run('storescu', ['-aet', 'MODALITY', ...options, '127.0.0.1', String(server.port), ...files], {
    timeout: 20_000,
  })
    .then((r) => ({ code: 0, out: r.stdout + r.stderr }))
    .catch((e) => ({ code: e.code as number, out: `${e.stdout}${e.stderr}` }));

/** Pushes the files to dcmtk's storescp (the reference receiver) and returns what it wrote, by SOP Instance UID. */
async function receivedByStorescp(pushes: Array<[string[], Buffer[]]>): Promise<Map<string, Buffer>> {
  const out = mkdtempSync(path.join(dir, 'storescp-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const scp = spawn('storescp', ['+xa', '-aet', 'ANNEX', '-od', out, '-uf', String(port)], {
    stdio: 'ignore',
  });
  try {
    for (let i = 0; i < 50; i++) {
      const ok = await run('echoscu', ['-aec', 'ANNEX', '127.0.0.1', String(port)]).then(
        () => true,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const [k, [options, files]] of pushes.entries()) {
      const paths = files.map((f, i) => {
        const p = path.join(dir, `ref-${k}-${i}.dcm`);
        writeFileSync(p, f);
        return p;
      });
      await run('storescu', ['-aec', 'ANNEX', ...options, '127.0.0.1', String(port), ...paths]);
    }
  } finally {
    scp.kill('SIGTERM');
  }
  const map = new Map<string, Buffer>();
  for (const name of readdirSync(out)) {
    const file = readFileSync(path.join(out, name));
    map.set(parseInstance(file).sopInstanceUid, file);
  }
  return map;
}

/** The dataset part of a Part-10 file (what travels in a C-STORE), for byte comparison. */
function datasetBytes(file: Buffer): Buffer {
  const groupLength = file.readUInt32LE(140);
  return file.subarray(144 + groupLength);
}

describe('DIMSE C-STORE SCP', () => {
  it('answers C-ECHO from echoscu', async () => {
    const { stderr } = await run('echoscu', ['-v', '-aec', 'ANNEX', '127.0.0.1', String(server.port)]);
    expect(stderr).toContain('Received Echo Response (Success)');
  });

  it('stores a CT, an MR, an RLE series and a multi-frame object from storescu byte for byte as storescp receives them', async () => {
    const ct = makeCtSeries({ seed: 'dimse-ct', slices: 3, rows: 64, cols: 64 });
    const mr = makeMrSeries({ seed: 'dimse-mr', slices: 2, rows: 32, cols: 32, transferSyntax: 'implicit' });
    const rle = makeMrSeries({
      seed: 'dimse-rle',
      slices: 2,
      rows: 32,
      cols: 32,
      transferSyntax: 'rle',
      seriesNumber: 9,
    });
    const mf = makeMultiframe({ seed: 'dimse-mf', frames: 4, rows: 32, cols: 32 });
    // -xr also proposes RLE (the RLE files travel compressed); -xi proposes implicit VR only.
    const pushes: Array<[string[], Array<typeof ct>]> = [
      [['-xr'], [ct, rle, mf]],
      [['-xi'], [mr]],
    ];
    const reference = await receivedByStorescp(
      pushes.map(([options, sets]) => [options, sets.flatMap((s) => s.files)]),
    );
    for (const [options, sets] of pushes) {
      const files = sets.flatMap((s, k) => writeFiles(`push-${k}-${s.modality}`, s.files));
      const result = await storescu(['-aec', 'ANNEX', ...options], files);
      expect(result.code, result.out).toBe(0);
    }
    for (const series of [ct, mr, rle, mf]) {
      for (const sop of series.sopInstanceUids) {
        const row = await site.deps.prisma.instance.findUniqueOrThrow({ where: { sopInstanceUid: sop } });
        expect(row.receivedVia).toBe('dimse');
        const stored = await site.deps.storage.getBuffer(row.objectKey);
        const parsed = parseInstance(stored);
        expect(parsed.sopInstanceUid).toBe(sop);
        // What the SCU put on the wire, unchanged: the same dataset bytes storescp wrote.
        const peer = reference.get(sop)!;
        expect(parsed.transferSyntaxUid).toBe(parseInstance(peer).transferSyntaxUid);
        expect(datasetBytes(stored).equals(datasetBytes(peer))).toBe(true);
      }
    }
    const rleRow = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: rle.sopInstanceUids[0]! },
    });
    expect(rleRow.transferSyntaxUid).toBe('1.2.840.10008.1.2.5');
    const mrRow = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: mr.sopInstanceUids[0]! },
    });
    expect(mrRow.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    const mfRow = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: mf.sopInstanceUids[0]! },
    });
    expect(mfRow.numberOfFrames).toBe(4);
  });

  it('refuses an association to an unknown called AE title', async () => {
    const result = await storescu(
      ['-aec', 'NOT-OURS'],
      writeFiles('unknown-ae', makeCtSeries({ seed: 'dimse-x', slices: 1, rows: 16, cols: 16 }).files),
    );
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/Called AE Title Not Recognized/i);
  });

  it('routes a study to the project of the AE route its association matched', async () => {
    const admin = await site.auth('admin');
    const created = await site.app.inject({
      method: 'POST',
      url: '/api/admin/ae-routes',
      headers: admin,
      payload: { calledAe: 'RESEARCH', callingAe: 'MODALITY', projectId: 'lung-study' },
    });
    expect(created.statusCode).toBe(201);
    const ct = makeCtSeries({ seed: 'dimse-routed', slices: 2, rows: 16, cols: 16 });
    const result = await storescu(['-aec', 'RESEARCH'], writeFiles('routed', ct.files));
    expect(result.code, result.out).toBe(0);
    const study = await site.deps.prisma.study.findUniqueOrThrow({
      where: { studyInstanceUid: ct.study.studyInstanceUid },
    });
    const links = await site.deps.prisma.studyProject.findMany({ where: { studyRef: study.id } });
    expect(links.map((l) => l.projectId)).toEqual(['lung-study']);
  });

  it('rejects an association that proposes nothing it could store', async () => {
    const { Client, requests, constants } = dimse;
    const client = new Client();
    // A worklist query is not a storage SOP class: the only context is refused, so is the association.
    const request = new requests.CFindRequest();
    request.setAffectedSopClassUid(constants.SopClass.ModalityWorklistInformationModelFind);
    client.addRequest(request);
    const outcome = await new Promise<string>((resolve) => {
      client.on('associationRejected', () => resolve('rejected'));
      client.on('associationAccepted', () => resolve('accepted'));
      client.on('networkError', () => resolve('error'));
      client.send('127.0.0.1', server.port, 'MODALITY', 'ANNEX');
    });
    expect(outcome).toBe('rejected');
    const metrics = await site.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/annex_site_dimse_associations_total\{result="rejected-no-context"\} 1/);
    // And the SCP keeps serving others.
    const { stderr } = await run('echoscu', ['-v', '-aec', 'ANNEX', '127.0.0.1', String(server.port)]);
    expect(stderr).toContain('Success');
  });

  it('answers a dataset whose SOP instance differs from the command with 0xA900 and stores nothing', async () => {
    const { Client, requests, Dataset } = dimse;
    const ct = makeCtSeries({ seed: 'dimse-mismatch', slices: 1, rows: 16, cols: 16 });
    const dataset = new Dataset(datasetBytes(ct.files[0]!), '1.2.840.10008.1.2.1');
    const request = new requests.CStoreRequest(dataset);
    request.setAffectedSopInstanceUid('1.2.3.4.5.6.7.8.9');
    const client = new Client();
    client.addRequest(request);
    const status = await new Promise<number>((resolve, reject) => {
      request.on('response', (response: { getStatus(): number }) => resolve(response.getStatus()));
      client.on('networkError', reject);
      client.send('127.0.0.1', server.port, 'MODALITY', 'ANNEX');
    });
    expect(status).toBe(0xa900);
    expect(await site.deps.prisma.instance.count({ where: { sopInstanceUid: ct.sopInstanceUids[0]! } })).toBe(
      0,
    );
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });
});
