import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { loadSyncConfig } from './config.ts';
import { studyCanaries, textValuesOf } from './study-canaries.ts';
import { bypassesProxy } from './transport.ts';

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap and draws uniformly below it (full jitter)', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 30_000, () => 0.999)).toBe(3996);
    expect(backoffDelay(20, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, 500, 30_000, () => 0)).toBe(0);
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(4, 500, 30_000)));
    expect(draws.size).toBeGreaterThan(10);
  });
});

describe('NO_PROXY', () => {
  it('matches exact hosts, domain suffixes and *', () => {
    expect(bypassesProxy('cloud.example.org', ['example.org'])).toBe(true);
    expect(bypassesProxy('cloud.example.org', ['.example.org'])).toBe(true);
    expect(bypassesProxy('example.org', ['.example.org'])).toBe(true);
    expect(bypassesProxy('badexample.org', ['example.org'])).toBe(false);
    expect(bypassesProxy('cloud.annex.io', [])).toBe(false);
    expect(bypassesProxy('anything', ['*'])).toBe(true);
  });
});

describe('sync configuration', () => {
  const base = {
    SITE_ID: 'st-olav-1',
    CLOUD_SYNC_URL: 'wss://cloud.example/sync/v1',
    SITE_SIGNING_KEY: 'x',
    CLOUD_PUBLIC_KEYS: 'a,b',
  };
  it('reads a valid environment', () => {
    const config = loadSyncConfig(base);
    expect(config.CLOUD_PUBLIC_KEYS).toEqual(['a', 'b']);
    expect(config.SYNC_WINDOW).toBe(4000);
  });
  it('lists every problem at once: no key, no cloud key, plain ws in production', () => {
    let message = '';
    try {
      loadSyncConfig({ SITE_ID: 'Bad Id', CLOUD_SYNC_URL: 'ws://cloud.example/sync/v1' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const key of ['SITE_ID', 'SITE_SIGNING_KEY_FILE', 'CLOUD_PUBLIC_KEYS', 'CLOUD_SYNC_URL']) {
      expect(message).toContain(key);
    }
  });
});

describe('study canaries', () => {
  const attributes = {
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'SMITHSON^ANNA' }] },
    '00100040': { vr: 'CS', Value: ['F'] },
    '00080050': { vr: 'SH', Value: ['ACC123456'] },
    '00280010': { vr: 'US', Value: [512] },
  };
  it('takes identifying text VRs (PN as written) and leaves codes and numbers out', () => {
    expect(textValuesOf(attributes).sort()).toEqual(['ACC123456', 'SMITHSON^ANNA']);
  });
  it('collects index columns and attribute values, dropping short all-digit values', () => {
    const canaries = studyCanaries({
      patient: { patientId: 'MRN-0042', patientName: 'SMITHSON^ANNA', birthDate: '19640212', issuer: null },
      study: {
        studyInstanceUid: '1.2.3.4',
        accessionNumber: 'ACC123456',
        studyId: '512',
        studyDate: '20260101',
        referringPhysician: null,
        studyDescription: null,
        attributes,
      },
      series: [{ seriesInstanceUid: '1.2.3.4.5', attributes: {} }],
    });
    expect(canaries).toEqual(
      expect.arrayContaining(['MRN-0042', 'SMITHSON^ANNA', '19640212', '1.2.3.4', 'ACC123456', '1.2.3.4.5']),
    );
    expect(canaries).not.toContain('512');
  });
});
