import { type AnyEnvelope, checkSequence, type RejectReason } from '@annex/protocol';
import type { PrismaClient } from '../../db.ts';
import type { CommandHandlers, CommandOutcome, CommandType } from './command-handlers.ts';
import { enqueueOutbox } from './outbox.ts';

export type ApplyOutcome =
  | { kind: 'applied'; seq: number; outcome: CommandOutcome }
  | { kind: 'rejected'; reason: RejectReason; appliedSeq: number; expectedSeq?: number };

/**
 * Applies one verified cloud command exactly once: under a lock on the state row, if its seq is
 * the next one, run its handler, record it in the inbox, move the high-water mark and queue its
 * command.result, all in one transaction. A replay or a gap changes nothing.
 */
export async function applyCommand(
  prisma: PrismaClient,
  handlers: CommandHandlers,
  env: AnyEnvelope,
): Promise<ApplyOutcome> {
  return prisma.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ hwm: bigint }[]>`
        SELECT "c2sAppliedSeq" AS hwm FROM "SyncState" WHERE id = 1 FOR UPDATE`;
      const hwm = Number(rows[0]?.hwm ?? 0);
      const problem = checkSequence(env.seq, hwm);
      if (problem) {
        return {
          kind: 'rejected',
          reason: problem.reason,
          appliedSeq: hwm,
          ...('expectedSeq' in problem ? { expectedSeq: problem.expectedSeq as number } : {}),
        };
      }
      const type = env.type as CommandType;
      const handler = handlers.get(type);
      const outcome: CommandOutcome = handler
        ? await handler(tx, env.body as never, env as never)
        : { status: 'failed', code: 'NO_HANDLER' };
      await tx.syncInbox.create({
        data: {
          seq: BigInt(env.seq),
          type,
          kid: env.kid,
          sentAt: new Date(env.sentAt),
          status: outcome.status,
          code: outcome.status === 'failed' ? outcome.code : null,
        },
      });
      await tx.syncState.update({ where: { id: 1 }, data: { c2sAppliedSeq: BigInt(env.seq) } });
      await enqueueOutbox(
        tx,
        'command.result',
        outcome.status === 'applied'
          ? { status: 'applied', commandSeq: env.seq, commandType: type }
          : { status: 'failed', commandSeq: env.seq, commandType: type, code: outcome.code },
        { canaries: [] },
      );
      return { kind: 'applied', seq: env.seq, outcome };
    },
    { timeout: 30_000 },
  );
}
