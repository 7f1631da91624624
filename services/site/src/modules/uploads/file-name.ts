/**
 * The last path component of an uploaded file's name, without control characters, at most 255
 * characters. Shown to the uploader only: names can carry PHI, so they are never logged.
 */
export function sanitizedBasename(name: string): string {
  const base = name.split(/[\\/]/).filter(Boolean).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return clean || 'unnamed';
}
