/**
 * Reconnect delay: exponential with "full jitter" (a uniform draw below the exponential cap), so
 * many sites that lost the cloud at once do not reconnect in lock-step.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}
