/**
 * The feed continuation read from a body's tail: equal to what JSON.parse reads whenever it answers, null
 * whenever the tail alone cannot say, never a wrong cursor. The real page comes from the sandbox over HTTP.
 */
import { startSandbox } from '../sandbox/server';
import { readFeedContinuation } from '../src/jobo/feedTail';

function parsed(text: string) {
  const body = JSON.parse(text) as { next_cursor: string | null; has_more: boolean };
  return { hasMore: body.has_more, nextCursor: body.next_cursor };
}

test('reads the sandbox’s pages from their tails, to the last one', async () => {
  const sandbox = await startSandbox({ seed: 11, jobs: 120, port: 0 });
  try {
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await fetch(`${sandbox.url}/api/jobs/feed`, {
        method: 'POST',
        headers: { 'x-api-key': sandbox.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(cursor ? { cursor } : { batch_size: 50 }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      const tail = readFeedContinuation(text);
      expect(tail).toEqual(parsed(text));
      cursor = tail!.hasMore ? tail!.nextCursor : null;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
  } finally {
    await sandbox.close();
  }
});

test.each([
  ['compact', '{"jobs":[],"next_cursor":"abc","has_more":true}'],
  ['spaced and reordered', '{ "jobs" : [ ] ,\n  "has_more" : false ,\n  "next_cursor" : null \n}\n'],
  ['other scalars after the pair', '{"jobs":[{"id":"x"}],"next_cursor":"c","has_more":true,"estimated_total":1.5e3,"note":null}'],
  ['escaped quotes and backslashes in the cursor', String.raw`{"jobs":[],"next_cursor":"a\"b\\","has_more":true}`],
  ['a cursor with unicode escapes', String.raw`{"jobs":[],"next_cursor":"\u00e9t\u00e9","has_more":true}`],
  ['a later duplicate wins, as in JSON.parse', '{"jobs":[],"has_more":true,"next_cursor":"old","next_cursor":"new"}'],
])('%s: the same continuation as JSON.parse', (_name, text) => {
  expect(readFeedContinuation(text)).toEqual(parsed(text));
});

test.each([
  ['the pair before the jobs', '{"next_cursor":"c","has_more":true,"jobs":[{"id":"x","next_cursor":"d","has_more":false}]}'],
  ['one of the pair missing', '{"jobs":[],"has_more":true}'],
  ['a job field named like a member, jobs last', '{"has_more":true,"jobs":[{"next_cursor":"evil"}]}'],
  ['a truncated body', '{"jobs":[],"next_cursor":"abc","has_more":tr'],
  ['an escaped key name', String.raw`{"jobs":[],"next\u005fcursor":"c","has_more":true}`],
  ['a cursor of the wrong type', '{"jobs":[],"next_cursor":7,"has_more":true}'],
  ['not an object', '[1,2,3]'],
  ['empty', ''],
])('%s: no guess', (_name, text) => {
  expect(readFeedContinuation(text)).toBeNull();
});

/** A seeded generator of envelopes: member order, spacing, escapes and extra members vary. */
function envelopes(count: number, seed: number): string[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const ws = () => pick(['', ' ', '\n', '\t ', '  \r\n']);
  const str = () =>
    JSON.stringify(
      Array.from({ length: Math.floor(rand() * 12) }, () => pick(['a', 'Z', '"', '\\', '/', 'é', '\n', ':', ',', '}', '\u2028'])).join(''),
    );
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const members: [string, string][] = [
      ['jobs', `[${ws()}{"id":${str()},"next_cursor":${str()},"has_more":${pick(['true', 'false'])}}${ws()}]`],
      ['next_cursor', pick([str(), 'null', '1', '[]'])],
      ['has_more', pick(['true', 'false', 'null', '"true"'])],
    ];
    if (rand() < 0.5) members.push(['estimated_total', pick(['42', '-1.5e-3', 'null', str(), '{"x":1}'])]);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    out.push(`${ws()}{${members.map(([k, v]) => `${ws()}"${k}"${ws()}:${ws()}${v}${ws()}`).join(',')}}${ws()}`);
  }
  return out;
}

test('over 5,000 generated envelopes: every guess made equals JSON.parse, and the usual shape always guesses', () => {
  let guessed = 0;
  for (const text of envelopes(5000, 42)) {
    const tail = readFeedContinuation(text);
    const body = JSON.parse(text) as Record<string, unknown>;
    const readable = typeof body.has_more === 'boolean' && (typeof body.next_cursor === 'string' || body.next_cursor === null);
    if (tail) {
      guessed++;
      expect(tail).toEqual(parsed(text));
    }
    const keys = Object.keys(body);
    // The usual shape: the pair after jobs and any non-container member.
    const jobsAt = keys.indexOf('jobs');
    const after = keys.slice(jobsAt + 1);
    const scalarsAfter = after.every((k) => body[k] === null || typeof body[k] !== 'object');
    if (readable && after.includes('next_cursor') && after.includes('has_more') && scalarsAfter) expect(tail).not.toBeNull();
  }
  expect(guessed).toBeGreaterThan(200);
});
