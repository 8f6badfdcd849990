/**
 * At most `limit` holders per key, the rest waiting in order, each for a bounded time: one
 * organization's burst cannot take every pooled connection from the others. (p-limit and
 * friends bound one queue; this needs one per key, dropped when idle.)
 */
export class KeyedLimiter {
  private readonly slots = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be >= 1 (got ${limit})`);
  }

  /**
   * Resolves with a release function once `key` has a free slot; rejects after `timeoutMs`,
   * or with `signal`'s reason when it aborts first (a caller that left gives its place up).
   */
  acquire(
    key: string,
    timeoutMs: number,
    onTimeout: () => Error,
    signal?: AbortSignal,
  ): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let entry = this.slots.get(key);
    if (!entry) {
      entry = { active: 0, waiting: [] };
      this.slots.set(key, entry);
    }
    const slot = entry;
    const release = () => {
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.active === 0) this.slots.delete(key);
    };
    if (slot.active < this.limit) {
      slot.active++;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      const leave = (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abandon);
        const index = slot.waiting.indexOf(grant);
        if (index >= 0) slot.waiting.splice(index, 1);
        reject(error);
      };
      const abandon = () => leave(signal?.reason);
      const grant = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abandon);
        resolve(once(release));
      };
      const timer = setTimeout(() => leave(onTimeout()), timeoutMs);
      signal?.addEventListener("abort", abandon, { once: true });
      slot.waiting.push(grant);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
