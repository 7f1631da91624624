import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInstance } from '../parse/parse-instance.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makePatient } from './patient.ts';
import { phiValuesOf } from './phi-values.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'annex-synth-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('synthetic CLI', () => {
  it('writes one folder per series, files named by UID only, in the requested transfer syntax', () => {
    const result = run('--out', out, '--ct', '3', '--mr', '2', '--mf', '2', '--seed', '42', '--ts', 'jpegls');
    expect(result.status).toBe(0);
    const series = readdirSync(out);
    expect(series).toHaveLength(3);
    const files = series.flatMap((dir) => readdirSync(join(out, dir)).map((f) => join(out, dir, f)));
    expect(files).toHaveLength(6);
    const phi = phiValuesOf(makePatient(42));
    for (const file of files) {
      expect(file).toMatch(/\/2\.25\.\d+\/2\.25\.\d+\.dcm$/);
      for (const value of phi) expect(file).not.toContain(value);
      expect(parseInstance(readFileSync(file)).transferSyntaxUid).toBe(TransferSyntax.JPEGLSLossless);
    }
    for (const value of phi) expect(result.stdout).not.toContain(value);
  });

  it('refuses an unknown transfer syntax with a usage message', () => {
    const result = run('--out', out, '--ts', 'mpeg');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage');
  });
});
