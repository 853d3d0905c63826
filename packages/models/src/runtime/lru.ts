/**
 * A map of at most `capacity` entries that drops the least recently used one first: the one LRU of
 * hepml-edge (the edge's loaded models, the registry's resolved versions, the rate limiter's
 * buckets). Workers-safe: plain `Map`, whose iteration order is insertion order, so re-inserting
 * an entry on every read keeps the least recently used at the front. `get` and `set` are O(1).
 */
export class Lru<K, V> {
  readonly capacity: number;
  readonly #entries = new Map<K, V>();

  /** `capacity`: the most entries kept (a positive integer). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`an LRU needs a positive integer capacity (got ${capacity})`);
    }
    this.capacity = capacity;
  }

  /** Number of entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key`, marking it the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Whether `key` is present (does not count as a use). */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Stores `value` as the most recently used entry; over capacity, the least recently used goes. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return this;
  }

  /** Removes `key`; whether it was present. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Keys from the least to the most recently used. */
  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }

  /** Removes every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
