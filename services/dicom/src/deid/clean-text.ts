import type { PhiMatchers } from './phi-matchers.ts';

/**
 * Patterns that identify in any free text regardless of whose they are: dates in numeric and written forms,
 * long digit runs (record numbers, phone numbers), e-mail addresses.
 */
const GENERIC = new RegExp(
  [
    String.raw`(?<![0-9])(1[89]|20)\d\d[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12]\d|3[01])(?![0-9])`,
    String.raw`(?<![0-9])\d{1,2}[-/.]\d{1,2}[-/.](\d{4}|\d{2})(?![0-9])`,
    String.raw`\b\d{1,2}(st|nd|rd|th)?[\s-]+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[\s,-]+\d{2,4}\b`,
    String.raw`\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{2,4}\b`,
    String.raw`(?<![0-9])\+?\d[\d\s().-]{5,}\d(?![0-9])`,
    String.raw`[\w.+-]+@[\w-]+\.[\w.-]+`,
  ].join('|'),
  'gi',
);

/**
 * Clean (PS3.15 action C) for descriptors and free text: keeps the meaning ("CT CHEST W CONTRAST") and removes
 * this object's own PHI values (names in any order, IDs, dates, addresses, phones) and anything shaped like
 * a date, a record number or an e-mail. Names of other people that this object does not carry anywhere cannot
 * be recognised: that residual risk is why descriptors are removed unless the profile asks for them.
 */
export function cleanText(text: string, matchers: PhiMatchers): string {
  return matchers.redact(text).replace(GENERIC, '***');
}
