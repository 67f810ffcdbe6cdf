import { describe, expect, it } from 'vitest';
import { LocalChangeFeed, SharedCache } from './change-feed.js';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('forgets an entry after its time, and the oldest one when full', () => {
    const cache = new TtlCache<string, number>(2, 1000);
    cache.set('a', 1, 0);
    cache.set('b', 2, 5);
    cache.set('c', 3, 10);
    expect(cache.get('a', 10)).toBeUndefined();
    expect(cache.get('b', 10)).toBe(2);
    cache.set('b', 4, 20); // set again: now the newest
    cache.set('d', 5, 20);
    expect(cache.get('c', 20)).toBeUndefined();
    expect(cache.get('b', 1019)).toBe(4);
    expect(cache.get('b', 1020)).toBeUndefined();
    expect(cache.get('d', 1020)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops entries by value', () => {
    const cache = new TtlCache<string, { owner: number }>(10, 1000);
    cache.set('x', { owner: 1 });
    cache.set('y', { owner: 2 });
    cache.set('z', { owner: 1 });
    cache.deleteWhere((v) => v.owner === 1);
    expect(cache.size).toBe(1);
    expect(cache.get('y')).toEqual({ owner: 2 });
  });
});

describe('SharedCache', () => {
  const db = {} as never;

  it('reads once, then answers from memory until the row is said to have changed', async () => {
    const feed = new LocalChangeFeed();
    const cache = new SharedCache<number, string>(feed, { maxEntries: 10, ttlMs: 60_000 });
    cache.forgetOn('citizen', Number);
    let reads = 0;
    const load = async () => `v${++reads}`;
    expect(await cache.read(7, load)).toBe('v1');
    expect(await cache.read(7, load)).toBe('v1');
    await feed.publish(db, 'citizen', 8);
    expect(await cache.read(7, load)).toBe('v1');
    await feed.publish(db, 'citizen', 7);
    expect(await cache.read(7, load)).toBe('v2');
    expect(reads).toBe(2);
  });

  it('does not keep a value read while a change was heard: it may be the old row', async () => {
    const feed = new LocalChangeFeed();
    const cache = new SharedCache<number, string>(feed, { maxEntries: 10, ttlMs: 60_000 });
    cache.forgetOn('citizen', Number);
    let reads = 0;
    const slow = async () => {
      reads++;
      // The write commits and is announced while this read is under way.
      await feed.publish(db, 'citizen', 7);
      return 'old';
    };
    expect(await cache.read(7, slow)).toBe('old');
    expect(await cache.read(7, async () => `new${++reads}`)).toBe('new2');
    expect(cache.size).toBe(1);
  });

  it('keeps no miss, and re-reads an entry its owner no longer accepts', async () => {
    const feed = new LocalChangeFeed();
    const cache = new SharedCache<string, { until: number }>(feed, { maxEntries: 10, ttlMs: 60_000 });
    let reads = 0;
    const missing = async () => {
      reads++;
      return null;
    };
    expect(await cache.read('gone', missing)).toBeNull();
    expect(await cache.read('gone', missing)).toBeNull();
    expect(reads).toBe(2);
    const expired = { until: Date.now() - 1 };
    await cache.read('s', async () => expired);
    const fresh = { until: Date.now() + 60_000 };
    expect(
      await cache.read(
        's',
        async () => fresh,
        (v) => v.until > Date.now(),
      ),
    ).toBe(fresh);
  });
});
