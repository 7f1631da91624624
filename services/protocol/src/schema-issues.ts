import type { z } from 'zod';

const SAFE_SEGMENT = /^[A-Za-z0-9_.-]{1,40}$/;
const MAX_ISSUES = 5;

/**
 * Describes validation failures by path and issue code only. zod's own messages can quote the
 * offending keys or values (an unknown key could itself be a planted patient name), so they are
 * never passed on.
 */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  const parts = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = [prefix, ...issue.path.map(safeSegment)].filter((p) => p !== '').join('.') || '(root)';
    // Custom messages are written in this package (e.g. "integer in [0, 5]"), never from input.
    const extra =
      issue.code === 'unrecognized_keys'
        ? `(${issue.keys.length})`
        : issue.code === 'custom'
          ? `(${issue.message})`
          : '';
    return `${path}: ${issue.code}${extra}`;
  });
  const more = error.issues.length > MAX_ISSUES ? `; +${error.issues.length - MAX_ISSUES} more` : '';
  return parts.join('; ') + more;
}

function safeSegment(segment: PropertyKey): string {
  if (typeof segment === 'number') return String(segment);
  if (typeof segment === 'string' && SAFE_SEGMENT.test(segment)) return segment;
  return '?';
}
