/**
 * A feed page's continuation (`next_cursor`, `has_more`) read from the end of its body without parsing the
 * rest. The upstream puts them after `jobs` (reference 004's example, and the sandbox), so they are the last
 * members of the top-level object; reading them there lets the next request go out while this page (about
 * 2.4 MB for 1,000 jobs) is parsed and validated. Only a guess until the page is parsed: the caller compares
 * it with the parsed page and discards a request made on a wrong guess. Anything unexpected (the members in
 * another order, escaped key names, a truncated body) answers null, and the caller waits for the parse.
 */
export interface FeedContinuation {
  hasMore: boolean;
  nextCursor: string | null;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SCALAR = /[A-Za-z0-9.+-]/;

/** The index of the quote that opens the JSON string whose closing quote is at `close`, or -1. */
function stringStart(text: string, close: number): number {
  for (let i = close - 1; i >= 0; i--) {
    if (text.charCodeAt(i) !== QUOTE) continue;
    // A quote preceded by an odd run of backslashes is inside the string.
    let slashes = 0;
    while (i - 1 - slashes >= 0 && text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return i;
  }
  return -1;
}

function skipBack(text: string, i: number): number {
  while (i >= 0 && WHITESPACE.has(text.charCodeAt(i))) i--;
  return i;
}

/** Reads `"key": value` pairs backwards from the closing brace, scalar values only, until both are seen. */
export function readFeedContinuation(text: string): FeedContinuation | null {
  let i = skipBack(text, text.length - 1);
  if (text[i] !== '}') return null;
  i--;
  const found = new Map<string, unknown>();
  // Later duplicates win in JSON.parse; reading backwards, the first one met is that one.
  while (!(found.has('next_cursor') && found.has('has_more'))) {
    i = skipBack(text, i);
    let value: unknown;
    let start: number;
    if (text.charCodeAt(i) === QUOTE) {
      start = stringStart(text, i);
      if (start < 0) return null;
    } else {
      // An object or array value (the jobs): not a member we can read from here.
      if (!SCALAR.test(text[i] ?? '')) return null;
      start = i;
      while (start > 0 && SCALAR.test(text[start - 1])) start--;
    }
    try {
      value = JSON.parse(text.slice(start, i + 1));
    } catch {
      return null;
    }
    i = skipBack(text, start - 1);
    if (text[i] !== ':') return null;
    i = skipBack(text, i - 1);
    if (text.charCodeAt(i) !== QUOTE) return null;
    const keyStart = stringStart(text, i);
    if (keyStart < 0) return null;
    const key = text.slice(keyStart + 1, i);
    if (key.includes('\\')) return null;
    if (!found.has(key)) found.set(key, value);
    i = skipBack(text, keyStart - 1);
    if (text[i] === ',') {
      i--;
      continue;
    }
    // The object's opening brace: every member was read, and one of the two is missing.
    return null;
  }
  const hasMore = found.get('has_more');
  const nextCursor = found.get('next_cursor');
  if (typeof hasMore !== 'boolean' || !(typeof nextCursor === 'string' || nextCursor === null)) return null;
  return { hasMore, nextCursor };
}
