import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS } from './service.js';

const entry = {
  prev_hash: GENESIS,
  actor_type: 'staff' as const,
  actor_id: 7,
  action: 'complaint.resolved',
  entity_type: 'complaint',
  entity_id: '42',
  before: '{"status":"assigned"}',
  after: '{"status":"resolved"}',
  ip: '10.0.0.1',
  created_at: '2026-11-28T10:00:00.000Z',
};

describe('canonical JSON', () => {
  it('sorts keys at every depth, so key order never changes the text', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ x: 1, y: { q: 2, p: 1 } })).toBe(canonicalJson({ y: { p: 1, q: 2 }, x: 1 }));
  });

  it('writes dates as ISO text and drops undefined keys, as JSON does', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.000Z'), gone: undefined })).toBe(
      '{"at":"2026-01-02T03:04:05.000Z"}',
    );
    expect(canonicalJson(undefined)).toBeNull();
    expect(canonicalJson(null)).toBeNull();
    expect(canonicalJson('text')).toBe('"text"');
  });
});

describe('entry hash', () => {
  it('is sha256 hex, the same for the same entry', () => {
    expect(entryHash(entry)).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash({ ...entry })).toBe(entryHash(entry));
  });

  it('changes with every field, including the link to the previous entry', () => {
    const base = entryHash(entry);
    const changes: Partial<typeof entry>[] = [
      { prev_hash: '1'.repeat(64) },
      { actor_type: 'system' as never },
      { actor_id: 8 },
      { action: 'complaint.closed' },
      { entity_type: 'citizen' },
      { entity_id: '43' },
      { before: null as never },
      { after: '{"status":"closed"}' },
      { ip: null as never },
      { created_at: '2026-11-28T10:00:00.001Z' },
    ];
    for (const change of changes)
      expect(entryHash({ ...entry, ...change }), JSON.stringify(change)).not.toBe(base);
  });

  it('encodes fields unambiguously: moving text between fields changes the hash', () => {
    const a = entryHash({ ...entry, entity_type: 'comp', entity_id: 'laint42' });
    const b = entryHash({ ...entry, entity_type: 'complaint', entity_id: '42' });
    expect(a).not.toBe(b);
    // null and the text "null" differ too
    expect(entryHash({ ...entry, before: null as never })).not.toBe(entryHash({ ...entry, before: 'null' }));
  });

  it('hashes the same instant alike however the engine wrote it', () => {
    expect(entryHash({ ...entry, created_at: '2026-11-28 10:00:00+00' })).toBe(entryHash(entry));
  });
});
