import type { Envelope, SiteToCloudType } from '@annex/protocol';
import type { Db } from '../../db.ts';

/** Applies one batch of verified, in-order messages of one type, inside the inbox transaction. */
export type InboxHandler<T extends SiteToCloudType = SiteToCloudType> = (
  tx: Db,
  siteId: string,
  envelopes: Envelope<T>[],
) => Promise<void>;

/**
 * Which module applies which site→cloud message type. Other modules register theirs at start-up
 * (`app.inboxHandlers.register('task.upserted', fn)`); a type with no handler is still recorded
 * in the inbox (the audit trail) and counted as applied.
 */
export class InboxHandlers {
  private readonly handlers = new Map<string, InboxHandler>();

  register<T extends SiteToCloudType>(type: T, handler: InboxHandler<T>): void {
    if (this.handlers.has(type)) throw new Error(`two inbox handlers for ${type}`);
    this.handlers.set(type, handler as unknown as InboxHandler);
  }

  get(type: string): InboxHandler | undefined {
    return this.handlers.get(type);
  }
}
