import { describe, expect, it } from 'vitest';
import { isOwnPseudonym, pseudonymize, pseudonymSchema } from './pseudonymize.ts';

const secret = 'site-secret-for-pseudonyms-01';

describe('pseudonymize', () => {
  it('is stable for the same secret, kind, value and scope', () => {
    expect(pseudonymize(secret, 'patient', 'MRN001', 'prj-a')).toBe(
      pseudonymize(secret, 'patient', 'MRN001', 'prj-a'),
    );
  });

  it('differs by value, scope (project), kind and secret', () => {
    const base = pseudonymize(secret, 'patient', 'MRN001', 'prj-a');
    expect(pseudonymize(secret, 'patient', 'MRN002', 'prj-a')).not.toBe(base);
    expect(pseudonymize(secret, 'patient', 'MRN001', 'prj-b')).not.toBe(base);
    expect(pseudonymize(secret, 'study', 'MRN001', 'prj-a').slice(3)).not.toBe(base.slice(3));
    expect(pseudonymize('another-secret-entirely-02', 'patient', 'MRN001', 'prj-a')).not.toBe(base);
  });

  it('is compact, URL-safe and carries its kind as a prefix', () => {
    expect(pseudonymize(secret, 'patient', 'x')).toMatch(/^pt_[A-Za-z0-9_-]{20}$/);
    expect(pseudonymize(secret, 'study', 'x')).toMatch(/^st_/);
    expect(pseudonymize(secret, 'user', 'x')).toMatch(/^usr_/);
    expect(pseudonymSchema.safeParse(pseudonymize(secret, 'series', '1.2.3')).success).toBe(true);
    expect(encodeURIComponent(pseudonymize(secret, 'instance', '1.2.3'))).toBe(
      pseudonymize(secret, 'instance', '1.2.3'),
    );
  });

  it('does not contain the value', () => {
    expect(pseudonymize(secret, 'patient', 'MRN123456')).not.toContain('123456');
  });

  it('recognises its own pseudonyms and rejects others', () => {
    const p = pseudonymize(secret, 'patient', 'MRN001', 'prj-a');
    expect(isOwnPseudonym(secret, 'patient', p, 'prj-a')).toBe(true);
    expect(isOwnPseudonym(secret, 'patient', p, 'prj-b')).toBe(false);
    expect(isOwnPseudonym('another-secret-entirely-02', 'patient', p, 'prj-a')).toBe(false);
    expect(isOwnPseudonym(secret, 'patient', 'MRN001', 'prj-a')).toBe(false);
    const tampered = `${p.slice(0, -1)}${p.endsWith('A') ? 'B' : 'A'}`;
    expect(isOwnPseudonym(secret, 'patient', tampered, 'prj-a')).toBe(false);
  });

  it('refuses a short secret', () => {
    expect(() => pseudonymize('short', 'patient', 'x')).toThrow();
  });
});
