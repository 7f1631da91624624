import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '@annex/platform';

// A streaming POSIX tar (pax interchange format): file bytes go straight from the source to the sink, with
// backpressure, so a bundle of any size is written in constant memory. Headers are deterministic (fixed
// mtime, uid/gid 0, mode 0644, no user or group names): the same files give the same bytes.

export type TarErrorCode = 'TAR_SIZE_MISMATCH' | 'TAR_BAD_NAME' | 'TAR_FINISHED' | 'TAR_FAILED';

export class TarError extends AppError {
  constructor(
    override readonly code: TarErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, code === 'TAR_BAD_NAME' ? 400 : 500, message, details);
    this.name = 'TarError';
  }
}

export interface TarEntry {
  name: string;
  size: number;
  /** Hex SHA-256 of the file's bytes, computed while they streamed. */
  sha256: string;
}

export interface TarWriter {
  addFile(
    name: string,
    size: number,
    source: Readable | Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<TarEntry>;
  /** Writes the end-of-archive marker (two zero blocks). The sink is left open: the caller ends it. */
  finish(): Promise<TarEntry[]>;
}

export interface TarWriterOptions {
  /** Modification time written for every file; seconds since the epoch. Default 0, so output is reproducible. */
  mtime?: number | Date;
}

const BLOCK = 512;
const USTAR_NAME_MAX = 100;
/** The largest size an 11-digit octal field holds (8 GiB - 1); beyond it the size goes in a pax record. */
const USTAR_SIZE_MAX = 0o77777777777;
/** Large in-memory sources are written in slices (views, not copies) so that drain can pace them. */
const SLICE = 4 * 1024 * 1024;
const ZEROS = new Uint8Array(BLOCK * 2);
const encoder = new TextEncoder();

/** Refuses what would extract outside the target folder or could not be a file name. */
function checkName(name: string): void {
  const bad = (why: string) => new TarError('TAR_BAD_NAME', `Cannot put "${name}" in the archive: ${why}.`);
  if (name.length === 0) throw bad('the name is empty');
  if (name.includes('\0')) throw bad('it holds a NUL character');
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) throw bad('it is absolute');
  if (name.endsWith('/')) throw bad('it names a folder');
  for (const part of name.split(/[/\\]/)) {
    if (part === '..') throw bad('it climbs out with ".."');
    if (part === '') throw bad('it holds an empty path segment');
  }
}

function writeString(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  block.set(bytes.subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  // length - 1 digits, then NUL.
  writeString(block, offset, length - 1, value.toString(8).padStart(length - 1, '0'));
}

/** Pax records "<len> <key>=<value>\n", where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let digits = String(bodyLength).length;
  while (String(bodyLength + digits).length !== digits) digits++;
  const length = bodyLength + digits;
  return `${length}${body}`;
}

function header(name: string, size: number, type: '0' | 'x', mtime: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, USTAR_NAME_MAX, name);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** A name that fits the 100-byte field, cut on a character boundary (the pax path record is the real one). */
function shortName(name: string, prefix = ''): string {
  let bytes = Buffer.byteLength(prefix);
  if (bytes + Buffer.byteLength(name) <= USTAR_NAME_MAX) return prefix + name;
  // Cut on a character boundary, counting UTF-8 bytes as we go (once, not per character).
  let out = prefix;
  for (const ch of name) {
    bytes += Buffer.byteLength(ch);
    if (bytes > USTAR_NAME_MAX) break;
    out += ch;
  }
  return out;
}

/** The header blocks of one file: a pax extended header first when the name or size overflow ustar. */
function headersFor(name: string, size: number, mtime: number): Uint8Array[] {
  const records: string[] = [];
  if (encoder.encode(name).length > USTAR_NAME_MAX) records.push(paxRecord('path', name));
  if (size > USTAR_SIZE_MAX) records.push(paxRecord('size', String(size)));
  const file = header(shortName(name), size > USTAR_SIZE_MAX ? 0 : size, '0', mtime);
  if (records.length === 0) return [file];
  const pax = encoder.encode(records.join(''));
  const padded = new Uint8Array(Math.ceil(pax.length / BLOCK) * BLOCK);
  padded.set(pax);
  const base = name.slice(name.lastIndexOf('/') + 1);
  return [header(shortName(base, 'PaxHeaders/'), pax.length, 'x', mtime), padded, file];
}

function toChunks(
  source: Readable | Uint8Array | AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> | Uint8Array[] {
  if (source instanceof Uint8Array) {
    const views: Uint8Array[] = [];
    for (let at = 0; at < source.length; at += SLICE) views.push(source.subarray(at, at + SLICE));
    return views;
  }
  return source as AsyncIterable<Uint8Array>;
}

export function createTarWriter(sink: Writable, options: TarWriterOptions = {}): TarWriter {
  const mtime =
    options.mtime instanceof Date
      ? Math.floor(options.mtime.getTime() / 1000)
      : Math.floor(options.mtime ?? 0);
  const entries: TarEntry[] = [];
  let tail: Promise<unknown> = Promise.resolve();
  let failed: unknown = null;
  let finished = false;
  let sinkError: Error | null = null;
  sink.on('error', (e) => {
    sinkError ??= e;
  });

  /** Writes one chunk; when the sink's buffer is full, waits for it to drain (or fail, or close). */
  const write = async (chunk: Uint8Array): Promise<void> => {
    if (sinkError) throw sinkError;
    if (sink.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        sink.off('drain', onDrain);
        sink.off('error', onError);
        sink.off('close', onClose);
        if (e) reject(e);
        else resolve();
      };
      const onDrain = () => done();
      const onError = (e: Error) => done(e);
      const onClose = () => done(new Error('the tar sink closed before the archive was written'));
      sink.on('drain', onDrain);
      sink.on('error', onError);
      sink.on('close', onClose);
    });
  };

  const addOne = async (
    name: string,
    size: number,
    source: Readable | Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<TarEntry> => {
    checkName(name);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new TarError('TAR_SIZE_MISMATCH', `"${name}": the declared size is not a byte count.`, { size });
    if (source instanceof Uint8Array && source.length !== size)
      throw new TarError(
        'TAR_SIZE_MISMATCH',
        `"${name}" has ${source.length} bytes, not the ${size} declared.`,
      );
    // From here on a failure leaves a partial entry in the sink: the writer refuses further use.
    try {
      for (const block of headersFor(name, size, mtime)) await write(block);
      const hash = createHash('sha256');
      let written = 0;
      for await (const raw of toChunks(source)) {
        const chunk: Uint8Array = typeof raw === 'string' ? Buffer.from(raw) : raw;
        if (written + chunk.length > size)
          throw new TarError('TAR_SIZE_MISMATCH', `"${name}" has more than the ${size} bytes declared.`);
        hash.update(chunk);
        written += chunk.length;
        if (chunk.length > 0) await write(chunk);
      }
      if (written !== size)
        throw new TarError(
          'TAR_SIZE_MISMATCH',
          `"${name}" ended after ${written} bytes, not the ${size} declared.`,
        );
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad > 0) await write(ZEROS.subarray(0, pad));
      const entry = { name, size, sha256: hash.digest('hex') };
      entries.push(entry);
      return entry;
    } catch (e) {
      failed = e;
      throw e;
    }
  };

  /** Calls run one after another, in call order, so concurrent callers cannot interleave bytes. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(() => {
      if (failed)
        throw new TarError('TAR_FAILED', 'An earlier file failed part-way; this archive is incomplete.', {
          cause: failed instanceof Error ? failed.message : String(failed),
        });
      if (finished) throw new TarError('TAR_FINISHED', 'The archive is already finished.');
      return fn();
    });
    tail = run.catch(() => undefined);
    return run;
  };

  return {
    addFile: (name, size, source) => serial(() => addOne(name, size, source)),
    finish: () =>
      serial(async () => {
        await write(ZEROS);
        finished = true;
        return [...entries];
      }),
  };
}
