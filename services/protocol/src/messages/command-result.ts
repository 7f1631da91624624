import { z } from 'zod';
import { intIn } from '../bounded-number.ts';
import { errorCodeSchema } from '../ids.ts';

// site→cloud: the outcome of applying one cloud command, named by the command's s2c sequence.
// The cloud command types are listed here rather than imported from the registry to keep the
// schema graph acyclic; message-registry.test.ts checks the two lists agree.
export const COMMAND_TYPES = ['ping', 'qc.decision', 'project.settings'] as const;

const commandSeq = intIn(1, Number.MAX_SAFE_INTEGER);
const commandType = z.enum(COMMAND_TYPES);

export const commandResultSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('applied'), commandSeq, commandType }),
  /** `code` is a stable machine code (e.g. TASK_NOT_FOUND), never a message or a value. */
  z.strictObject({ status: z.literal('failed'), commandSeq, commandType, code: errorCodeSchema }),
]);
export type CommandResult = z.infer<typeof commandResultSchema>;
