import { describe, expect, it } from 'vitest';
import { displayNameOf } from './display-name.ts';

describe('displayNameOf', () => {
  it("prefers the token's name claim and tidies its spaces", () => {
    expect(displayNameOf({ name: '  Ana   Müller ', username: 'ana' })).toBe('Ana Müller');
  });

  it('falls back to the username when there is no name or it does not fit the pattern', () => {
    expect(displayNameOf({ username: 'ana.mueller@hospital.example' })).toBe('ana.mueller@hospital.example');
    expect(displayNameOf({ name: '<script>x</script>', username: 'ana' })).toBe('ana');
    expect(displayNameOf({ name: 'DOE^JANE', username: 'jdoe' })).toBe('jdoe');
  });

  it('sends nothing when neither fits (the cloud then shows the pseudonym)', () => {
    expect(displayNameOf({ name: '\u0000', username: '<b>' })).toBeUndefined();
    expect(displayNameOf({ username: '' })).toBeUndefined();
  });

  it('cuts a long name to the 64 characters the protocol allows', () => {
    expect(displayNameOf({ name: `Ana ${'x'.repeat(100)}`, username: 'ana' })).toHaveLength(64);
  });
});
