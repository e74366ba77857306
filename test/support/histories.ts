/**
 * Recorded workflow histories under test/histories/ (written by test/histories/record.ts, or by a test
 * that calls saveHistory): loaded for test/history.replay.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = resolve(__dirname, '..', 'histories');

export interface RecordedHistory {
  workflowType: string;
  /** The path through the workflow it pins (e.g. `asked`, `recurringContinuedAsNew`). */
  path: string;
  /** The commit whose code made it. */
  recordedOn: string;
  /** temporal.api.history.v1.History, protobuf, base64. */
  history: string;
}

export function recordedHistories(): { name: string; fixture: RecordedHistory; history: temporal.api.history.v1.History }[] {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const fixture = JSON.parse(readFileSync(resolve(HISTORIES_DIR, f), 'utf8')) as RecordedHistory;
      return {
        name: f.replace(/\.json$/, ''),
        fixture,
        history: temporal.api.history.v1.History.decode(Buffer.from(fixture.history, 'base64')),
      };
    });
}
