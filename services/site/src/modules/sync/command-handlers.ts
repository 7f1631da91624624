import type { BodyOf, CloudToSiteType, Envelope } from '@annex/protocol';
import type { Db } from './db-client.ts';

/** Cloud commands (sequenced cloud→site types). */
export type CommandType = Exclude<CloudToSiteType, 'sync.ack' | 'sync.resend'>;

/** What applying a command did: reported back to the cloud as command.result. */
export type CommandOutcome = { status: 'applied' } | { status: 'failed'; code: string };

/**
 * Applies one command inside the inbox transaction (the same one that records it as applied and
 * queues its command.result), so it takes effect exactly once. Throwing rolls everything back and
 * the command is retried on the next delivery; return `failed` with a stable UPPER_SNAKE code for
 * a command that can never succeed (e.g. TASK_NOT_FOUND), so the stream moves on.
 */
export type CommandHandler<T extends CommandType = CommandType> = (
  tx: Db,
  body: BodyOf<T>,
  envelope: Envelope<T>,
) => Promise<CommandOutcome>;

/**
 * Which module applies which cloud command. Register at start-up, before the agent starts:
 *   commands.register('qc.decision', applyQcDecision);
 * A command without a handler is answered `failed` / NO_HANDLER (and still applied once).
 */
export class CommandHandlers {
  private readonly handlers = new Map<string, CommandHandler>();

  register<T extends CommandType>(type: T, handler: CommandHandler<T>): void {
    if (this.handlers.has(type)) throw new Error(`two command handlers for ${type}`);
    this.handlers.set(type, handler as unknown as CommandHandler);
  }

  get(type: string): CommandHandler | undefined {
    return this.handlers.get(type);
  }
}

/** ping proves the command path end to end; applying it changes nothing. */
export const applyPing: CommandHandler<'ping'> = async () => ({ status: 'applied' });

export function defaultCommandHandlers(): CommandHandlers {
  const handlers = new CommandHandlers();
  handlers.register('ping', applyPing);
  return handlers;
}
