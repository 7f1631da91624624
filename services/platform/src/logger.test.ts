import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactPhi } from './logger.ts';

const capture = () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
};

describe('PHI redaction in logs', () => {
  it('replaces names, IDs, birth dates and accession numbers at any depth', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', 'test', stream);
    log.info(
      {
        PatientName: 'Doe^Jane',
        patientId: 'MRN-77812',
        study: {
          PatientBirthDate: '19610312',
          AccessionNumber: 'ACC-99812',
          nested: [{ ReferringPhysicianName: 'House^Greg' }],
        },
        outcome: 'stored',
      },
      'instance stored',
    );
    const line = lines.join('');
    for (const phi of ['Doe^Jane', 'MRN-77812', '19610312', 'ACC-99812', 'House^Greg'])
      expect(line).not.toContain(phi);
    expect(line).toContain('stored');
    expect(line).toContain('[REDACTED]');
  });

  it('keeps non-PHI keys and survives cycles', () => {
    const a: Record<string, unknown> = { modality: 'CT', count: 3 };
    a.self = a;
    const out = redactPhi(a) as Record<string, unknown>;
    expect(out.modality).toBe('CT');
    expect(out.self).toBe('[Circular]');
  });
});
