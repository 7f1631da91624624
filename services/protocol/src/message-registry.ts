import type { z } from 'zod';
import type { Direction } from './direction.ts';
import { annotatorProfileSchema } from './messages/annotator-profile.ts';
import { commandResultSchema } from './messages/command-result.ts';
import { exportCompletedSchema } from './messages/export-completed.ts';
import { labelsetFinalizedSchema } from './messages/labelset-finalized.ts';
import { pingSchema } from './messages/ping.ts';
import { projectSettingsSchema } from './messages/project-settings.ts';
import { qcDecisionSchema } from './messages/qc-decision.ts';
import { siteStatusSchema } from './messages/site-status.ts';
import { studyAvailableSchema } from './messages/study-available.ts';
import { syncAckSchema, syncResendSchema } from './messages/sync-control.ts';
import { taskMetricsSchema } from './messages/task-metrics.ts';
import { taskUpsertedSchema } from './messages/task-upserted.ts';

interface MessageSpec {
  /** Directions the type may travel in. */
  readonly dirs: readonly Direction[];
  /** Sequenced messages are applied in order, exactly once; unsequenced ones carry seq 0. */
  readonly sequenced: boolean;
  readonly body: z.ZodType;
}

// The one list of every message that crosses the boundary (DESIGN.md rule 3). A type that is not
// here cannot be signed, and is rejected as SCHEMA_INVALID when received.
export const MESSAGES = {
  'study.available': { dirs: ['s2c'], sequenced: true, body: studyAvailableSchema },
  'site.status': { dirs: ['s2c'], sequenced: true, body: siteStatusSchema },
  'command.result': { dirs: ['s2c'], sequenced: true, body: commandResultSchema },
  'task.upserted': { dirs: ['s2c'], sequenced: true, body: taskUpsertedSchema },
  'task.metrics': { dirs: ['s2c'], sequenced: true, body: taskMetricsSchema },
  'labelset.finalized': { dirs: ['s2c'], sequenced: true, body: labelsetFinalizedSchema },
  'annotator.profile': { dirs: ['s2c'], sequenced: true, body: annotatorProfileSchema },
  'export.completed': { dirs: ['s2c'], sequenced: true, body: exportCompletedSchema },
  ping: { dirs: ['c2s'], sequenced: true, body: pingSchema },
  'qc.decision': { dirs: ['c2s'], sequenced: true, body: qcDecisionSchema },
  'project.settings': { dirs: ['c2s'], sequenced: true, body: projectSettingsSchema },
  'sync.ack': { dirs: ['s2c', 'c2s'], sequenced: false, body: syncAckSchema },
  'sync.resend': { dirs: ['s2c', 'c2s'], sequenced: false, body: syncResendSchema },
} as const satisfies Record<string, MessageSpec>;

export type MessageType = keyof typeof MESSAGES;
export const MESSAGE_TYPES = Object.keys(MESSAGES) as [MessageType, ...MessageType[]];

/** Body type of a message type, inferred from its schema. */
export type BodyOf<T extends MessageType> = z.output<(typeof MESSAGES)[T]['body']>;

type DirsOf<T extends MessageType> = (typeof MESSAGES)[T]['dirs'][number];
/** Message types that may travel in direction D. */
export type MessageTypeFor<D extends Direction> = {
  [T in MessageType]: D extends DirsOf<T> ? T : never;
}[MessageType];
export type SiteToCloudType = MessageTypeFor<'s2c'>;
export type CloudToSiteType = MessageTypeFor<'c2s'>;

export function isMessageType(type: unknown): type is MessageType {
  return typeof type === 'string' && Object.hasOwn(MESSAGES, type);
}

export function messageSpec(type: MessageType): MessageSpec {
  return MESSAGES[type];
}
