// The sync module's surface for other modules.
export {
  type CommandHandler,
  CommandHandlers,
  type CommandOutcome,
  type CommandType,
} from './command-handlers.ts';
export { type EnqueueOptions, enqueueOutbox, enqueueOutboxMany, type OutboxType } from './outbox.ts';
export { enqueueStudyAvailable } from './study-announcer.ts';
export { studyCanaries } from './study-canaries.ts';
