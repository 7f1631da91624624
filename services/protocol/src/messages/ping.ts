import { z } from 'zod';

// cloud→site: proves the command path end to end; the site answers with command.result.
export const pingSchema = z.strictObject({});
export type Ping = z.infer<typeof pingSchema>;
