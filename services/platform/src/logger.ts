import pino, { type Logger, type LoggerOptions } from 'pino';

// Keys whose values are PHI wherever they appear in a log object, at any depth: DICOM keywords,
// their camelCase forms, and the index columns that hold them.
const PHI_KEY =
  /^(patient.*|.*patient(name|id|birth.*|address|telephone.*|sex|age|weight|size|comments)|.*birth(date|time)|accession(number)?|.*physician.*|.*operators?name|institution.*|station.*|other.*ids?|issuer.*|mothers.*|.*(given|family)name|person.*name|referring.*|requesting.*|study(id|description)|series(description)|.*comments?|.*address|.*telephone.*|mrn|ssn|dob|filename|file_name|originalname)$/i;

export const REDACTED = '[REDACTED]';

/** Deep copy of a log object with every PHI-keyed value replaced. Cycles and depth are bounded. */
export function redactPhi(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactPhi(v, depth + 1, seen));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = PHI_KEY.test(key) ? REDACTED : redactPhi(v, depth + 1, seen);
  }
  return out;
}

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    name,
    level,
    formatters: { log: (obj) => redactPhi(obj) as Record<string, unknown> },
    serializers: {
      // Request logs carry method, route and status; never query strings (QIDO keys can be PHI).
      req: (req: { method?: string; routeOptions?: { url?: string }; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        route: req.routeOptions?.url ?? req.url?.split('?')[0],
      }),
      err: pino.stdSerializers.err,
    },
  };
}

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, name), destination) : pino(loggerOptions(level, name));
}
