import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createTarWriter, TarError } from './tar-writer.ts';

// The archive is read by GNU tar and by Python's tarfile, two readers nobody here wrote.

const work = mkdtempSync(join(tmpdir(), 'annex-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Collects what the writer sends to its sink. */
function memorySink() {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

const LONG = `${'deep/'.repeat(30)}${'a'.repeat(120)}.seg.dcm`;

async function sampleArchive() {
  const { sink, bytes } = memorySink();
  const tar = createTarWriter(sink);
  const one = randomBytes(1000);
  const two = randomBytes(3 * 512);
  const three = randomBytes(70_000);
  const entries = [
    await tar.addFile('bundle/tasks/one.bin', one.length, one),
    await tar.addFile('bundle/tasks/empty.txt', 0, new Uint8Array(0)),
    await tar.addFile('bundle/two.bin', two.length, Readable.from([two.subarray(0, 100), two.subarray(100)])),
    await tar.addFile(
      `bundle/${LONG}`,
      three.length,
      (async function* () {
        for (let i = 0; i < three.length; i += 7000) yield three.subarray(i, i + 7000);
      })(),
    ),
  ];
  await tar.finish();
  return { bytes: bytes(), entries, contents: [one, Buffer.alloc(0), two, three] };
}

describe('createTarWriter', () => {
  it('writes an archive GNU tar and Python tarfile extract to the same files, long names included', async () => {
    const { bytes, entries, contents } = await sampleArchive();
    expect(bytes.length % 512).toBe(0);
    const file = join(work, 'sample.tar');
    writeFileSync(file, bytes);
    const out = join(work, 'gnu');
    mkdirSync(out);
    const run = spawnSync('tar', ['-xf', file, '-C', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const [i, e] of entries.entries()) {
      const extracted = readFileSync(join(out, e.name));
      expect(extracted.equals(contents[i]!), e.name).toBe(true);
      expect(e.sha256).toBe(createHash('sha256').update(contents[i]!).digest('hex'));
      expect(e.size).toBe(contents[i]!.length);
    }
    const listed = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import tarfile,sys,json;t=tarfile.open(sys.argv[1]);print(json.dumps([[m.name,m.size,m.mode,m.uid] for m in t]))',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(entries.map((e) => [e.name, e.size, 0o644, 0]));
  });

  it('gives the same bytes for the same files (fixed times, no owner names)', async () => {
    const a = await sampleArchive();
    const { sink, bytes } = memorySink();
    const tar = createTarWriter(sink);
    for (const [i, e] of a.entries.entries()) await tar.addFile(e.name, e.size, a.contents[i]!);
    await tar.finish();
    expect(bytes().equals(a.bytes)).toBe(true);
  });

  it('refuses a source shorter or longer than announced, and names that would escape the folder', async () => {
    const short = createTarWriter(memorySink().sink);
    await expect(short.addFile('x.bin', 10, Readable.from([Buffer.alloc(4)]))).rejects.toMatchObject({
      code: 'TAR_SIZE_MISMATCH',
    });
    const long = createTarWriter(memorySink().sink);
    await expect(long.addFile('x.bin', 2, Buffer.alloc(3))).rejects.toMatchObject({
      code: 'TAR_SIZE_MISMATCH',
    });
    const names = createTarWriter(memorySink().sink);
    for (const bad of ['../etc/passwd', '/abs/file', 'a/../../b', '', 'folder/', 'nul\0byte'])
      await expect(names.addFile(bad, 0, new Uint8Array(0)), JSON.stringify(bad)).rejects.toBeInstanceOf(
        TarError,
      );
  });

  it('waits for a slow sink instead of buffering the whole file (backpressure)', async () => {
    let pending = 0;
    let maxPending = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk, _enc, done) {
        pending += chunk.length;
        maxPending = Math.max(maxPending, pending);
        setImmediate(() => {
          pending -= chunk.length;
          done();
        });
      },
    });
    const tar = createTarWriter(slow);
    const size = 64 * 1024 * 1024;
    const source = new PassThrough();
    const feeding = (async () => {
      const block = Buffer.alloc(1024 * 1024, 7);
      for (let i = 0; i < 64; i++)
        if (!source.write(block)) await new Promise((r) => source.once('drain', r));
      source.end();
    })();
    await tar.addFile('big.bin', size, source);
    await feeding;
    await tar.finish();
    // Far less than the 64 MiB file was ever queued in the sink at once.
    expect(maxPending).toBeLessThan(16 * 1024 * 1024);
  });
});
