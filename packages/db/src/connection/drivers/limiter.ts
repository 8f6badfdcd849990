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

  /** Resolves with a release function once `key` has a free slot; rejects after `timeoutMs`. */
  acquire(key: string, timeoutMs: number, onTimeout: () => Error): Promise<() => void> {
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
      const grant = () => {
        clearTimeout(timer);
        resolve(once(release));
      };
      const timer = setTimeout(() => {
        const index = slot.waiting.indexOf(grant);
        if (index >= 0) slot.waiting.splice(index, 1);
        reject(onTimeout());
      }, timeoutMs);
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
