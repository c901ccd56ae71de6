/**
 * The most recent ids seen, the oldest forgotten first: enough to recognise a message delivered twice. Large
 * rooms are delivered at least once (a fan-out shard retried after a failure may post some connections again),
 * and each copy carries the same `messageId`.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** Remembers `id`; false when it was already remembered (a repeat). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: its first value is the oldest.
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
