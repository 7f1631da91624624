import { type BodyOf, guardOutgoing, ProtocolError, type SiteToCloudType } from '@annex/protocol';
import type { Prisma } from '../../db.ts';
import type { Db } from './db-client.ts';

/** Message types a module may put in the outbox (acks and resends are the agent's own business). */
export type OutboxType = Exclude<SiteToCloudType, 'sync.ack' | 'sync.resend'>;

export interface EnqueueOptions {
  /**
   * PHI values of the source (patient name, ids, birth date, accession number, UIDs…): none may
   * occur in the message. Pass every value of the study the message is about; [] only for
   * messages that are not about a patient (site.status).
   */
  canaries: readonly string[];
}

/**
 * Puts a site→cloud message in the outbox INSIDE THE CALLER'S TRANSACTION, so it is sent if and
 * only if the change it reports commits:
 *
 *   await prisma.$transaction(async (tx) => {
 *     await tx.task.update(...);
 *     await enqueueOutbox(tx, 'task.upserted', body, { canaries });
 *   });
 *
 * The body is validated against its strict schema and searched for the canaries first; on either
 * failure it throws ProtocolError ('SCHEMA_INVALID' | 'PHI_CANARY', message names the field path,
 * never the value) and the caller's transaction rolls back. The sync agent numbers and sends it.
 */
export async function enqueueOutbox<T extends OutboxType>(
  tx: Db,
  type: T,
  body: BodyOf<T>,
  options: EnqueueOptions,
): Promise<void> {
  const guarded = guardOutgoing(type, body, { canaries: options.canaries });
  if (!guarded.ok) throw new ProtocolError(guarded.reason, guarded.detail);
  await tx.syncOutbox.create({ data: { type, body: guarded.body as Prisma.InputJsonValue } });
}

/** Several messages in one statement (same guard per message); for bulk producers and the bench. */
export async function enqueueOutboxMany<T extends OutboxType>(
  tx: Db,
  type: T,
  bodies: readonly BodyOf<T>[],
  options: EnqueueOptions,
): Promise<void> {
  const data = bodies.map((body) => {
    const guarded = guardOutgoing(type, body, { canaries: options.canaries });
    if (!guarded.ok) throw new ProtocolError(guarded.reason, guarded.detail);
    return { type, body: guarded.body as Prisma.InputJsonValue };
  });
  if (data.length) await tx.syncOutbox.createMany({ data });
}
