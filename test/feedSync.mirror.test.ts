// The ground-truth comparison the feed sync tests rely on must itself catch every kind of drift.
import { mirrorProblems } from './support/feedMirror';

const truth = {
  now: '2025-01-10T00:00:00.000Z',
  active: [
    { id: 'a', updated_at: '2025-01-02T00:00:00.000Z' },
    { id: 'b', updated_at: '2025-01-03T00:00:00.000Z' },
  ],
  expired: [{ id: 'x', expired_at: '2025-01-05T00:00:00.000Z' }],
};

test('an exact mirror has no problems, and expired jobs the store never saw are fine', () => {
  expect(mirrorProblems({ active: truth.active, expired: [] }, truth)).toEqual([]);
  expect(mirrorProblems({ active: truth.active, expired: [{ id: 'x', expired_at: '2025-01-06T00:00:00.000Z' }] }, truth)).toEqual([]);
});

test('missing, stale, wrongly expired, still-active and unknown jobs are all reported', () => {
  expect(
    mirrorProblems(
      {
        active: [
          { id: 'b', updated_at: '2025-01-01T00:00:00.000Z' },
          { id: 'x', updated_at: '2025-01-01T00:00:00.000Z' },
          { id: 'z', updated_at: '2025-01-01T00:00:00.000Z' },
        ],
        expired: [
          { id: 'a', expired_at: '2025-01-06T00:00:00.000Z' },
          { id: 'q', expired_at: '2025-01-06T00:00:00.000Z' },
        ],
      },
      truth,
    ),
  ).toEqual([
    'active upstream, marked expired in the store: a',
    'stale b: store 2025-01-01T00:00:00.000Z, upstream 2025-01-03T00:00:00.000Z',
    'active in the store but expired upstream: x',
    'active in the store but unknown upstream: z',
    'marked expired but unknown upstream: q',
  ]);
  expect(mirrorProblems({ active: [], expired: [] }, truth)).toEqual([
    'active upstream, missing in the store: a',
    'active upstream, missing in the store: b',
  ]);
});
