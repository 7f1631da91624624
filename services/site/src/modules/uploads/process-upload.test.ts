import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCtSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { processUpload } from './process-upload.ts';
import { createUploadRepository } from './repository.ts';
import { openCheckedZip } from './zip-archive.ts';
import { makeZip } from './zip-fixture.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => site?.close());

describe('processUpload', () => {
  it('stops between files when the shutdown deadline cuts it, and marks the upload INTERRUPTED', async () => {
    const ct = makeCtSeries({ seed: 'upload-cut', slices: 3, rows: 16, cols: 16 });
    const tempPath = path.join(mkdtempSync(path.join(tmpdir(), 'annex-upload-cut-')), 'upload.zip');
    writeFileSync(tempPath, makeZip(ct.files.map((data, i) => ({ name: `IM${i}.dcm`, data }))));
    const zip = await openCheckedZip(tempPath, { maxEntries: 10, maxTotalBytes: 1e7, maxRatio: 200 });
    const repository = createUploadRepository(site.deps.prisma);
    const { id } = await repository.create({ createdBy: 'test', projectId: null });
    const cut = new AbortController();
    // The deadline passes while the first file is being recorded.
    const uploads = {
      ...repository,
      recordFile: async (...args: Parameters<typeof repository.recordFile>) => {
        const result = await repository.recordFile(...args);
        cut.abort();
        return result;
      },
    };
    await processUpload(ingestContextOf(site.app), uploads, {
      uploadId: id,
      tempPath,
      projectId: undefined,
      zip,
      fileName: 'upload.zip',
      cut: cut.signal,
    });
    const upload = await repository.get(id);
    expect(upload).toMatchObject({
      status: 'failed',
      errorCode: 'INTERRUPTED',
      processedEntries: 1,
      stored: 1,
    });
    // The file that was ingested is whole; the others were not started.
    const indexed = await site.deps.prisma.instance.count({
      where: { sopInstanceUid: { in: ct.sopInstanceUids } },
    });
    expect(indexed).toBe(1);
    expect(existsSync(tempPath)).toBe(false);
  });
});
