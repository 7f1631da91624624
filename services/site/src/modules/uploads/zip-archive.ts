import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { UploadError } from './errors.ts';

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of one entry. */
  maxRatio: number;
}

export interface ZipEntry {
  index: number;
  fileName: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
  entry: Entry;
}

export interface CheckedZip {
  entries: ZipEntry[];
  openEntry(entry: ZipEntry): Promise<Readable>;
  close(): void;
}

const open = (path: string) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) =>
      error || !zip ? reject(error) : resolve(zip),
    ),
  );

/** yauzl's messages include the entry name (possibly PHI): map them to our codes, drop the text. */
function zipError(error: unknown): UploadError {
  const message = error instanceof Error ? error.message : '';
  if (/absolute path|invalid relative path|invalid characters in fileName/.test(message)) {
    return new UploadError(
      'ZIP_UNSAFE_PATH',
      'The archive holds an entry with an absolute or "../" path; it was refused.',
    );
  }
  return new UploadError('ZIP_INVALID', 'The file is not a readable zip archive.');
}

/**
 * Opens a zip from disk and reads its central directory only (nothing is inflated), refusing the
 * whole archive when it is a bomb or unsafe: too many entries, too much uncompressed data, an
 * entry expanding more than the ratio allows, or a path that escapes (absolute, "..").
 * Declared sizes are enforced again while inflating (yauzl validates them).
 */
export async function openCheckedZip(path: string, limits: ZipLimits): Promise<CheckedZip> {
  let zip: ZipFile;
  try {
    zip = await open(path);
  } catch (error) {
    throw zipError(error);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new UploadError(
        'ZIP_TOO_MANY_ENTRIES',
        `An archive may hold at most ${limits.maxEntries} entries.`,
      );
    }
    const entries: ZipEntry[] = [];
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error) => reject(zipError(error)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        if (!entry.fileName.endsWith('/')) {
          total += entry.uncompressedSize;
          if (total > limits.maxTotalBytes) {
            reject(
              new UploadError(
                'ZIP_TOO_LARGE',
                `An archive may expand to at most ${limits.maxTotalBytes} bytes.`,
              ),
            );
            return;
          }
          const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
          if (ratio > limits.maxRatio) {
            reject(
              new UploadError(
                'ZIP_RATIO_EXCEEDED',
                `An entry expands more than ${limits.maxRatio} times; refused as a zip bomb.`,
              ),
            );
            return;
          }
          entries.push({
            index: entries.length,
            fileName: entry.fileName,
            compressedSize: entry.compressedSize,
            uncompressedSize: entry.uncompressedSize,
            // Bit 0 of the general purpose flag: yauzl cannot decrypt.
            encrypted: (entry.generalPurposeBitFlag & 0x1) !== 0,
            entry,
          });
        }
        zip.readEntry();
      });
      zip.readEntry();
    });
    return {
      entries,
      openEntry: (e) =>
        new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(e.entry, (error, stream) =>
            error || !stream ? reject(zipError(error)) : resolve(stream),
          ),
        ),
      close: () => zip.close(),
    };
  } catch (error) {
    zip.close();
    throw error;
  }
}
