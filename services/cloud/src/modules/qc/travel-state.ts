/** sent → applied | failed, from the command's outbox row (delivery ack and command.result). */
export function travelState(
  seq: bigint,
  c:
    | { ackedAt: Date | null; resultStatus: string | null; resultCode: string | null; resultAt: Date | null }
    | undefined,
) {
  const state = c?.resultStatus === 'applied' ? 'applied' : c?.resultStatus === 'failed' ? 'failed' : 'sent';
  return {
    seq: Number(seq),
    state: state as 'sent' | 'applied' | 'failed',
    deliveredAt: c?.ackedAt?.toISOString() ?? null,
    /** When the site applied it (took effect) or refused it. */
    resultAt: c?.resultAt?.toISOString() ?? null,
    code: c?.resultCode ?? null,
  };
}
