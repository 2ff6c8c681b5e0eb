/**
 * Runs an async job at most once at a time. A call while the job runs queues exactly one more run
 * (however many calls arrive), and every caller's promise settles when the run that covers its call ends.
 */
export class SingleFlight {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly job: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Settles when no run is in progress or queued (never rejects). */
  async idle(): Promise<void> {
    while (this.running || this.queued) {
      await (this.queued ?? this.running)?.catch(() => undefined);
    }
  }

  run(): Promise<void> {
    if (!this.running) {
      this.running = this.job().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (!this.queued) {
      const current = this.running;
      this.queued = current
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.run();
        });
    }
    return this.queued;
  }
}
