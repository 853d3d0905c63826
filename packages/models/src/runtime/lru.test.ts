import { describe, expect, it } from 'vitest';
import { Lru } from './lru.ts';

describe('Lru', () => {
  it('drops the least recently used entry when over capacity; a read counts as a use', () => {
    const lru = new Lru<string, number>(3);
    lru.set('a', 1).set('b', 2).set('c', 3);
    expect(lru.get('a')).toBe(1); // a is now the most recent: b is the oldest
    lru.set('d', 4);
    expect(lru.size).toBe(3);
    expect(lru.has('b')).toBe(false);
    expect([...lru.keys()]).toEqual(['c', 'a', 'd']);
    // has() is not a use: c stays the oldest and goes next.
    expect(lru.has('c')).toBe(true);
    lru.set('e', 5);
    expect([...lru.keys()]).toEqual(['a', 'd', 'e']);
  });

  it('replacing a value refreshes it and does not grow the map', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1).set('b', 2).set('a', 10);
    expect(lru.size).toBe(2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(10);
    expect(lru.get('b')).toBeUndefined();
  });

  it('keeps undefined values apart from absent keys, deletes and clears', () => {
    const lru = new Lru<string, number | undefined>(2);
    lru.set('u', undefined).set('x', 1);
    expect(lru.has('u')).toBe(true);
    expect(lru.get('u')).toBeUndefined();
    // The read of u made x the oldest.
    lru.set('y', 2);
    expect([...lru.keys()]).toEqual(['u', 'y']);
    expect(lru.delete('u')).toBe(true);
    expect(lru.delete('u')).toBe(false);
    lru.clear();
    expect(lru.size).toBe(0);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new Lru(0)).toThrow(/positive integer/);
    expect(() => new Lru(1.5)).toThrow(/positive integer/);
  });
});
