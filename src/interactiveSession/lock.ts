/**
 * A mutex for workflow code: one holder at a time. `wait` is the workflow's `condition` (injected, so the
 * state classes that use it run in unit tests without a server).
 */
export class Lock {
  private held = false;

  constructor(private readonly wait: (ready: () => boolean) => Promise<unknown>) {}

  get busy(): boolean {
    return this.held;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A loop, not one wait: every waiter wakes when the lock frees, and only the first may take it.
    while (this.held) await this.wait(() => !this.held);
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
    }
  }
}
