/**
 * The link that opens a task in its site's annotator viewer. The viewer runs inside the hospital
 * network, so the link works only there; it carries the site's own pseudonymous task id and
 * nothing else (no study, patient or user data), and pixels never pass through the cloud.
 */
export function siteViewerLink(
  viewers: Record<string, string>,
  siteId: string,
  taskId: string,
): string | null {
  const base = viewers[siteId];
  if (!base || !/^[A-Za-z0-9_-]{1,80}$/.test(taskId)) return null;
  const url = new URL(base);
  url.hash = `/qc-task/${taskId}`;
  return url.toString();
}
