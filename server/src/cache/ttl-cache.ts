/**
 * A bounded map whose entries live for `ttlMs` at most; when it is full the oldest entry goes first (Map
 * keeps insertion order). Hits do not reorder it: that is cheaper on every request, and an entry lives
 * only briefly anyway.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V, now = Date.now()) {
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
  }

  delete(key: K) {
    this.entries.delete(key);
  }

  /** Drops every entry whose value matches (rare events: an account's sessions all ended). */
  deleteWhere(test: (value: V) => boolean) {
    for (const [key, entry] of this.entries) if (test(entry.value)) this.entries.delete(key);
  }

  clear() {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
