import { type ConnectionOptions, type JobsOptions, Queue, Worker } from 'bullmq';
import { type JobName, type JobPayload, jobPayloadSchemas, jobQueue, QueueName } from './names.ts';

export type JobHandler<N extends JobName> = (payload: JobPayload<N>) => Promise<void>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export interface Queues {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: JobsOptions): Promise<void>;
  depths(): Promise<Record<QueueName, number>>;
  close(): Promise<void>;
}

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const queues = new Map<QueueName, Queue>();
  for (const name of Object.values(QueueName)) queues.set(name, new Queue(name, { connection, prefix }));
  return {
    async enqueue(name, payload, options) {
      // Validated on the way in so a payload with an unexpected field (possibly PHI) never lands in Redis.
      const data = jobPayloadSchemas[name].parse(payload);
      await queues.get(jobQueue[name])!.add(name, data, {
        removeOnComplete: 1000,
        removeOnFail: 5000,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        ...options,
      });
    },
    async depths() {
      const out = {} as Record<QueueName, number>;
      for (const [name, queue] of queues) out[name] = await queue.getWaitingCount();
      return out;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

// An export holds a part buffer and a task's label volumes in memory: one at a time per process.
const QUEUE_CONCURRENCY: Partial<Record<QueueName, number>> = { [QueueName.Export]: 1 };

/**
 * Starts one worker per queue. The handler map's type makes a missing handler a compile error;
 * the run-time check also catches handlers for names that no longer exist.
 */
export function startWorkers(
  connection: ConnectionOptions,
  prefix: string,
  handlers: JobHandlers,
  concurrency = 4,
) {
  const known = new Set<string>(Object.keys(jobQueue));
  for (const name of Object.keys(handlers)) {
    if (!known.has(name)) throw new Error(`a handler is registered for unknown job "${name}"`);
  }
  for (const name of known) {
    if (typeof (handlers as Record<string, unknown>)[name] !== 'function')
      throw new Error(`job "${name}" has no handler`);
  }
  const workers = Object.values(QueueName).map(
    (queue) =>
      new Worker(
        queue,
        async (job) => {
          const name = job.name as JobName;
          const handler = handlers[name] as JobHandler<JobName> | undefined;
          if (!handler || jobQueue[name] !== queue)
            throw new Error(`no handler for job "${job.name}" on queue "${queue}"`);
          await handler(jobPayloadSchemas[name].parse(job.data) as never);
        },
        { connection, prefix, concurrency: QUEUE_CONCURRENCY[queue] ?? concurrency },
      ),
  );
  return { close: () => Promise.all(workers.map((w) => w.close())).then(() => undefined) };
}

/**
 * A repeating job (BullMQ job scheduler). Idempotent: every worker process may declare it; the
 * scheduler id is the job name, so there is one schedule per queue prefix.
 */
export async function scheduleRepeating<N extends JobName>(
  connection: ConnectionOptions,
  prefix: string,
  name: N,
  payload: JobPayload<N>,
  everyMs: number,
) {
  const queue = new Queue(jobQueue[name], { connection, prefix });
  try {
    await queue.upsertJobScheduler(
      name,
      { every: everyMs },
      { name, data: jobPayloadSchemas[name].parse(payload) },
    );
  } finally {
    await queue.close();
  }
}
