import fp from 'fastify-plugin';

/**
 * The process's graceful stop. From begin(), every door takes no new work and finishes what it
 * holds; when the grace period ends, `cut` aborts and whatever still runs is cut (the ingest
 * pipeline leaves no index row without its object either way).
 */
export class Drain {
  readonly #cut = new AbortController();
  #started = false;

  get started(): boolean {
    return this.#started;
  }

  /** Aborts at the deadline. */
  get cut(): AbortSignal {
    return this.#cut.signal;
  }

  begin(graceMs: number): void {
    if (this.#started) return;
    this.#started = true;
    setTimeout(() => this.#cut.abort(), graceMs).unref();
  }

  /** Waits for `work`, but not past the deadline: true when it finished in time. */
  async within(work: Promise<unknown>): Promise<boolean> {
    if (this.cut.aborted) return false;
    let onCut = () => {};
    const cut = new Promise<false>((resolve) => {
      onCut = () => resolve(false);
      this.cut.addEventListener('abort', onCut, { once: true });
    });
    try {
      return await Promise.race([work.then(() => true as const), cut]);
    } finally {
      this.cut.removeEventListener('abort', onCut);
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    drain: Drain;
  }
}

/**
 * Decorates `drain`. While draining, responses close their connection (a keep-alive client must
 * not hold the server open); at the cut, HTTP connections still open are closed. Requests that
 * arrive after close() began get Fastify's 503.
 */
export const drainPlugin = fp(
  async (app) => {
    const drain = new Drain();
    app.decorate('drain', drain);
    app.addHook('onSend', async (_request, reply) => {
      if (drain.started) reply.header('connection', 'close');
    });
    // app.close() without a SIGTERM (tests, embedded use) is bounded the same way.
    app.addHook('preClose', async () => drain.begin(app.config.SHUTDOWN_GRACE_MS));
    drain.cut.addEventListener('abort', () => app.server.closeAllConnections(), { once: true });
  },
  { name: 'drain' },
);
