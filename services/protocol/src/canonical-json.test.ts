import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalBytes, canonicalize } from './canonical-json.ts';

const fromHex = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonicalize (RFC 8785)', () => {
  it('produces the RFC 8785 section 3.2.2 output for its sample input', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units as in RFC 8785 section 3.2.3', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    const out = canonicalize(input);
    expect(out.startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
    // Read the order from the text: JSON.parse would move the integer-like key "1" first.
    const values = [...out.matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('encodes the section 3.2.3 sample to the UTF-8 bytes the RFC lists', () => {
    const bytes = canonicalBytes({ '\u20ac': 1, '\ud83d\ude00': 2 });
    // '{"€":1,"😀":2}' — € is e2 82 ac, U+1F600 is f0 9f 98 80
    expect(bytes.toString('hex')).toBe('7b22e282ac223a312c22f09f9880223a327d');
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serializes the IEEE 754 value %s as %s (RFC 8785 appendix B)', (hex, expected) => {
    expect(canonicalize(fromHex(hex))).toBe(expected);
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
  ])('refuses the non-finite value %s (%s)', (hex) => {
    expect(() => canonicalize(fromHex(hex))).toThrow(CanonicalizationError);
  });

  it('writes no whitespace and sorts nested objects, keeping array order', () => {
    expect(canonicalize({ b: [3, { z: 1, a: 2 }, 1], a: { y: true, x: null } })).toBe(
      '{"a":{"x":null,"y":true},"b":[3,{"a":2,"z":1},1]}',
    );
  });

  it('gives the same text for the same data in any key order', () => {
    const a = canonicalize({ seq: 1, body: { x: 1, y: [1, 2] }, dir: 's2c' });
    const b = canonicalize(JSON.parse('{"dir":"s2c","body":{"y":[1,2],"x":1},"seq":1}'));
    expect(a).toBe(b);
  });

  it('drops undefined object members as JSON.stringify does on the wire', () => {
    expect(canonicalize({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate in a key', { '\udc00x': 1 }],
    ['an undefined array element', [1, undefined]],
    ['a Date', new Date(0)],
    ['a bigint', 1n],
    ['a function', () => 1],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalize(value)).toThrow(CanonicalizationError);
  });

  it('sorts objects that share a first key but not their other keys (shape cache)', () => {
    expect(
      canonicalize([
        { s: 1, b: 2 },
        { s: 1, a: 2 },
        { s: 1, b: 2, a: 3 },
      ]),
    ).toBe('[{"b":2,"s":1},{"a":2,"s":1},{"a":3,"b":2,"s":1}]');
  });

  it('stays correct once the shape cache is full', () => {
    for (let i = 0; i < 1000; i++) canonicalize({ [`k${i}`]: i, a: 0 });
    expect(canonicalize({ z: 1, k5000: 2, a: 3 })).toBe('{"a":3,"k5000":2,"z":1}');
  });

  it('accepts a correctly paired surrogate', () => {
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
  });
});
