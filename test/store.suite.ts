/**
 * The one behaviour suite every JobStore backend must pass (run by store.sqlite.test.ts and
 * store.postgres.test.ts). Each test opens a fresh, empty store from the factory.
 */
import type { JobDto } from '../src/jobo/schemas';
import { SEARCH_RANK_WINDOW } from '../src/store/rows';
import { StoreError, type JobStore } from '../src/store/types';

export function jobId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

type JobOverrides = Partial<Omit<JobDto, 'company'>> & { companyName?: string };

export function makeJob(n: number, o: JobOverrides = {}): JobDto {
  const { companyName, ...rest } = o;
  return {
    id: jobId(n),
    title: `Software Engineer ${n}`,
    normalized_title: 'software_engineer',
    company: {
      id: jobId(100_000 + n),
      name: companyName ?? `Company ${n % 7}`,
      website_url: null,
      logo_url: null,
      industry: 'Software',
      size: '51-200',
    },
    description: `Build distributed systems. Posting number ${n}.`,
    summary: null,
    listing_url: `https://boards.greenhouse.io/acme/jobs/${n}`,
    apply_url: `https://boards.greenhouse.io/acme/jobs/${n}`,
    locations: [
      {
        location: 'Berlin, Germany',
        city: 'Berlin',
        state: null,
        country: 'Germany',
        country_code: 'DE',
        latitude: null,
        longitude: null,
      },
    ],
    compensation: { min: 60000, max: 80000, currency: 'EUR', period: 'year' },
    employment_type: 'full_time',
    workplace_type: 'onsite',
    experience_level: 'mid',
    source: 'greenhouse',
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-02T00:00:00.000Z',
    date_posted: '2025-01-01',
    valid_through: null,
    qualifications: {
      must_have: { education: [], experience: [], skills: ['TypeScript'], certifications: [] },
      preferred: { education: [], experience: [], skills: [], certifications: [] },
    },
    responsibilities: ['Ship'],
    benefits: ['Health'],
    is_work_auth_required: null,
    is_h1b_sponsor: null,
    is_clearance_required: null,
    ...rest,
  };
}

export function storeSuite(name: string, open: () => Promise<JobStore>): void {
  describe(`JobStore (${name})`, () => {
    let store: JobStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    test('upserts by id, skips unchanged updated_at, keeps the full JobDto', async () => {
      const page = [makeJob(1), makeJob(2), makeJob(3)];
      expect(await store.upsertJobs(page)).toEqual({ upserted: 3, skipped: 0, older: 0, revived: 0 });
      expect(await store.upsertJobs(page)).toEqual({ upserted: 0, skipped: 3, older: 0, revived: 0 });

      const edited = makeJob(2, { title: 'Staff Engineer', updated_at: '2025-02-01T00:00:00.000Z' });
      expect(await store.upsertJobs([makeJob(1), edited])).toEqual({ upserted: 1, skipped: 1, older: 0, revived: 0 });

      const stored = await store.getJob(jobId(2));
      expect(stored?.job).toEqual(edited);
      expect(stored?.expiredAt).toBeNull();
      expect(await store.getJob(jobId(99))).toBeNull();
      expect(await store.counts()).toEqual({ active: 3, expired: 0 });
    });

    test('an unchanged updated_at does not overwrite the stored payload', async () => {
      await store.upsertJobs([makeJob(1)]);
      await store.upsertJobs([makeJob(1, { title: 'Changed without a new updated_at' })]);
      expect((await store.getJob(jobId(1)))?.job.title).toBe('Software Engineer 1');
    });

    test('a page with the same id twice keeps the latest updated_at', async () => {
      const older = makeJob(5, { title: 'old', updated_at: '2025-01-03T00:00:00.000Z' });
      const newer = makeJob(5, { title: 'new', updated_at: '2025-01-04T00:00:00.000Z' });
      expect(await store.upsertJobs([newer, older])).toEqual({ upserted: 1, skipped: 0, older: 0, revived: 0 });
      expect((await store.getJob(jobId(5)))?.job.title).toBe('new');
      expect(await store.upsertJobs([])).toEqual({ upserted: 0, skipped: 0, older: 0, revived: 0 });
    });

    test('marks expired jobs and keeps them; only a copy updated after the expiry revives one', async () => {
      await store.upsertJobs([makeJob(1), makeJob(2), makeJob(3)]);
      const at = new Date('2025-03-01T12:00:00.000Z');
      expect(await store.markExpired([jobId(1), jobId(2), jobId(42)], at)).toBe(2);
      expect(await store.markExpired([jobId(1)], new Date())).toBe(0); // already marked: first time stays
      expect((await store.getJob(jobId(1)))?.expiredAt).toBe(at.toISOString());
      expect(await store.jobStates()).toEqual({
        active: [{ id: jobId(3), updated_at: '2025-01-02T00:00:00.000Z' }],
        expired: [
          { id: jobId(1), expired_at: at.toISOString() },
          { id: jobId(2), expired_at: at.toISOString() },
        ],
      });
      expect(await store.markExpired([])).toBe(0);

      // A stale copy (the same updated_at, or one newer than the row but not after its expiry) keeps the expiry.
      const beforeExpiry = makeJob(1, { title: 'edited before expiry', updated_at: '2025-02-01T00:00:00.000Z' });
      const atExpiry = makeJob(2, { title: 'edited at expiry', updated_at: at.toISOString() });
      expect(await store.upsertJobs([makeJob(1)])).toEqual({ upserted: 0, skipped: 1, older: 1, revived: 0 });
      expect(await store.upsertJobs([beforeExpiry, atExpiry])).toEqual({
        upserted: 0,
        skipped: 2,
        older: 2,
        revived: 0,
      });
      expect((await store.getJob(jobId(1)))?.expiredAt).toBe(at.toISOString());
      expect((await store.getJob(jobId(1)))?.job.title).toBe('Software Engineer 1');

      // Updated after the expiry: back in the feed for real, active again with the new payload.
      const revived = makeJob(1, { title: 'reposted', updated_at: '2025-03-01T12:00:00.001Z' });
      expect(await store.upsertJobs([revived])).toEqual({ upserted: 1, skipped: 0, older: 0, revived: 1 });
      expect(await store.getJob(jobId(1))).toEqual({ job: revived, expiredAt: null });
      expect(await store.counts()).toEqual({ active: 2, expired: 1 });
      expect((await store.searchJobs()).map((j) => j.id).sort()).toEqual([jobId(1), jobId(3)]);
    });

    test('an older copy served after a newer one keeps the newer row; a tie keeps the stored row', async () => {
      const v1 = makeJob(1, { title: 'v1', updated_at: '2025-01-02T00:00:00.000Z' });
      const v2 = makeJob(1, { title: 'v2', updated_at: '2025-01-03T00:00:00.000Z' });
      const v2again = makeJob(1, { title: 'v2, other payload', updated_at: '2025-01-03T00:00:00.000Z' });
      // Compared as instants, not strings: 01:00+02:00 on the 3rd is 23:00Z on the 2nd, older than v2.
      const v1offset = makeJob(1, { title: 'v1 offset', updated_at: '2025-01-03T01:00:00.000+02:00' });
      expect(await store.upsertJobs([v2])).toMatchObject({ upserted: 1 });
      expect(await store.upsertJobs([v1])).toEqual({ upserted: 0, skipped: 1, older: 1, revived: 0 });
      expect(await store.upsertJobs([v1offset])).toEqual({ upserted: 0, skipped: 1, older: 1, revived: 0 });
      expect(await store.upsertJobs([v2again])).toEqual({ upserted: 0, skipped: 1, older: 0, revived: 0 });
      expect((await store.getJob(jobId(1)))?.job).toEqual(v2);
      const v3 = makeJob(1, { title: 'v3', updated_at: '2025-01-03T00:00:00.001Z' });
      expect(await store.upsertJobs([v3])).toEqual({ upserted: 1, skipped: 0, older: 0, revived: 0 });
      expect((await store.jobStates()).active).toEqual([{ id: jobId(1), updated_at: v3.updated_at }]);
    });

    test('concurrent pages carrying different copies of the same jobs: the newest copy wins, whatever commits last', async () => {
      const ids = [1, 2, 3, 4, 5, 6, 7, 8];
      const at = (v: number) => new Date(Date.UTC(2025, 4, 1, 0, v)).toISOString();
      // Eight writers, each with a different version of every job; the versions interleave across writers.
      const pages = Array.from({ length: 8 }, (_, w) =>
        ids.map((i) => makeJob(i, { title: `v${(w * 3 + i) % 8}`, updated_at: at((w * 3 + i) % 8) })),
      );
      const results = await Promise.all(pages.map((p) => store.upsertJobs(p)));
      const active = (await store.jobStates()).active;
      expect(active).toEqual(ids.map((i) => ({ id: jobId(i), updated_at: at(7) })));
      for (const i of ids) expect((await store.getJob(jobId(i)))?.job.title).toBe('v7');
      const sum = (k: 'upserted' | 'skipped') => results.reduce((n, r) => n + r[k], 0);
      expect(sum('upserted') + sum('skipped')).toBe(64);
      expect(sum('upserted')).toBeGreaterThanOrEqual(8);
    });

    test('reconcile expires what a full pass did not see, counting skipped and older copies as seen', async () => {
      await store.upsertJobs([1, 2, 3, 4, 5].map((n) => makeJob(n, { updated_at: '2025-03-05T00:00:00.000Z' })));
      await store.markExpired([jobId(4)], new Date('2025-03-06T00:00:00.000Z'));
      // The pass sees 1 (unchanged: skipped), 2 (edited), 5 (an older copy: skipped as older); 3 is gone upstream.
      const pass = 'jobs/2025-03-09T00:00:00.000Z/a';
      expect(
        await store.upsertJobs(
          [
            makeJob(1, { updated_at: '2025-03-05T00:00:00.000Z' }),
            makeJob(2, { updated_at: '2025-03-08T00:00:00.000Z' }),
            makeJob(5, { updated_at: '2025-03-01T00:00:00.000Z' }),
          ],
          { seenInRun: pass },
        ),
      ).toEqual({ upserted: 1, skipped: 2, older: 1, revived: 0 });
      const at = new Date('2025-03-09T00:00:00.000Z');
      expect(await store.reconcile(pass, at)).toBe(1);
      expect(await store.reconcile(pass, at)).toBe(0); // a retried reconcile changes nothing
      const states = await store.jobStates();
      expect(states.active.map((j) => j.id)).toEqual([jobId(1), jobId(2), jobId(5)]);
      expect(states.expired).toEqual([
        { id: jobId(3), expired_at: at.toISOString() },
        { id: jobId(4), expired_at: '2025-03-06T00:00:00.000Z' },
      ]);
    });

    test('reconcile reads only its own pass: another pass or writer never makes it expire a job it saw', async () => {
      const t = (d: number) => `2025-04-0${d}T00:00:00.000Z`;
      await store.upsertJobs([1, 2, 3, 4].map((n) => makeJob(n, { updated_at: t(1) })));
      const a = 'jobs/2025-04-05T00:00:00.000Z/a';
      const b = 'other/2025-04-05T00:00:00.000Z/b';
      // Two full passes interleave page by page; each sees a different part of the store, and b's pages
      // re-stamp jobs a saw.
      await store.upsertJobs([makeJob(1, { updated_at: t(1) }), makeJob(2, { updated_at: t(1) })], { seenInRun: a });
      await store.upsertJobs([makeJob(1, { updated_at: t(1) }), makeJob(3, { updated_at: t(1) })], { seenInRun: b });
      await store.upsertJobs([makeJob(2, { updated_at: t(2) })], { seenInRun: b });
      // An incremental writer adds a job created after pass a started: a must not expire it either.
      await store.upsertJobs([makeJob(9, { updated_at: t(6) })]);
      expect(await store.reconcile(a, new Date(t(5)))).toBe(2); // 3 and 4: never seen by a
      expect((await store.jobStates()).active.map((j) => j.id)).toEqual([jobId(1), jobId(2), jobId(9)]);
      // b saw 1, 2, 3: its reconcile expires nothing that it saw (3 was already marked by a).
      expect(await store.reconcile(b, new Date(t(5)))).toBe(0);
      expect((await store.jobStates()).active.map((j) => j.id)).toEqual([jobId(1), jobId(2), jobId(9)]);

      // Forgetting one feed's passes leaves the other's records (and its reconcile) intact.
      expect(await store.forgetPasses('jobs/')).toBe(2);
      expect(await store.forgetPasses('jobs/')).toBe(0);
      await store.upsertJobs([makeJob(9, { updated_at: t(6) })], { seenInRun: b });
      expect(await store.reconcile(b, new Date(t(7)))).toBe(0);
      expect(await store.forgetPasses('other/')).toBe(4);
    });

    test('checkpoints: get, set (overwrite), delete', async () => {
      expect(await store.getCheckpoint('feed-sync/jobs')).toBeNull();
      await store.setCheckpoint('feed-sync/jobs', '{"a":1}');
      await store.setCheckpoint('feed-sync/jobs', '{"a":2}');
      expect(await store.getCheckpoint('feed-sync/jobs')).toBe('{"a":2}');
      await store.deleteCheckpoint('feed-sync/jobs');
      expect(await store.getCheckpoint('feed-sync/jobs')).toBeNull();
    });

    describe('searchJobs', () => {
      const now = new Date('2025-06-30T00:00:00.000Z');
      beforeEach(async () => {
        await store.upsertJobs([
          makeJob(1, {
            title: 'Senior Backend Engineer',
            description: 'Kubernetes and Go services.',
            workplace_type: 'remote',
            experience_level: 'senior',
            date_posted: '2025-06-28',
            companyName: 'Acme',
            compensation: { min: 120000, max: 150000, currency: 'USD', period: 'year' },
          }),
          makeJob(2, {
            title: 'Frontend Developer',
            description: 'React, TypeScript and some backend work.',
            workplace_type: 'hybrid',
            employment_type: 'contract',
            date_posted: '2025-06-01T09:30:00Z',
            companyName: 'Globex',
            compensation: { min: 50, max: 70, currency: 'USD', period: 'hour' },
            locations: [
              {
                location: 'San Francisco, CA, USA',
                city: 'San Francisco',
                state: 'CA',
                country: 'United States',
                country_code: 'US',
                latitude: null,
                longitude: null,
              },
            ],
          }),
          makeJob(3, {
            title: 'Data Engineer',
            description: 'Pipelines.',
            experience_level: 'entry',
            date_posted: null,
            companyName: 'acme',
            compensation: null,
          }),
          makeJob(4, { title: 'Backend Engineer (expired)', companyName: 'Initech', date_posted: '2025-06-29' }),
        ]);
        await store.markExpired([jobId(4)]);
      });

      const ids = async (f: Parameters<JobStore['searchJobs']>[0]) => (await store.searchJobs({ now, ...f })).map((j) => j.id);

      test('full text over title and description, stemmed, title ranked first, expired excluded', async () => {
        expect(await ids({ text: 'backend' })).toEqual([jobId(1), jobId(2)]);
        expect(await ids({ text: 'engineers' })).toEqual(expect.arrayContaining([jobId(1), jobId(3)]));
        expect(await ids({ text: 'engineers' })).toHaveLength(2);
        expect(await ids({ text: 'kubernetes services' })).toEqual([jobId(1)]);
        expect(await ids({ text: '"OR" (*) NEAR' })).toEqual([]); // operators are words, never syntax errors
        expect(await ids({ text: '  ' })).toHaveLength(3);
      });

      test('structured filters', async () => {
        expect(await ids({ workplaceTypes: ['remote', 'hybrid'] })).toEqual([jobId(1), jobId(2)]);
        expect(await ids({ employmentTypes: ['contract'] })).toEqual([jobId(2)]);
        expect(await ids({ experienceLevels: ['entry', 'senior'] })).toEqual([jobId(1), jobId(3)]);
        expect(await ids({ locations: ['san francisco', 'nowhere'] })).toEqual([jobId(2)]);
        expect(await ids({ locations: ['berlin'] })).toEqual([jobId(1), jobId(3)]);
        expect(await ids({ locations: ['100%_'] })).toEqual([]);
        expect(await ids({ postedWithinDays: 7 })).toEqual([jobId(1)]);
        expect(await ids({ postedWithinDays: 60 })).toEqual([jobId(1), jobId(2)]);
        // 50 USD/hour ≈ 104k/year (max 70/h ≈ 145.6k); 150k/year.
        expect(await ids({ salaryFloor: 140000 })).toEqual([jobId(1), jobId(2)]);
        expect(await ids({ salaryFloor: 146000 })).toEqual([jobId(1)]);
        expect(await ids({ salaryFloor: 146000, includeUndisclosedSalary: true })).toEqual([jobId(1), jobId(3)]);
        expect(await ids({ companiesInclude: ['ACME'] })).toEqual([jobId(1), jobId(3)]);
        expect(await ids({ companiesExclude: ['acme'] })).toEqual([jobId(2)]);
        expect(await ids({ excludeIds: [jobId(1)] })).toEqual([jobId(2), jobId(3)]);
        expect(await ids({ limit: 1 })).toEqual([jobId(1)]);
        expect(await ids({ text: 'engineer', workplaceTypes: ['remote'], companiesInclude: ['acme'] })).toEqual([jobId(1)]);
      });

      test('summaries carry the indexed fields', async () => {
        const [j] = await store.searchJobs({ now, text: 'frontend' });
        expect(j).toEqual({
          id: jobId(2),
          title: 'Frontend Developer',
          companyName: 'Globex',
          locations: 'San Francisco, CA, USA',
          workplaceType: 'hybrid',
          employmentType: 'contract',
          experienceLevel: 'mid',
          datePosted: '2025-06-01T09:30:00.000Z',
          compensationMin: 50,
          compensationMax: 70,
          compensationCurrency: 'USD',
          compensationPeriod: 'hour',
          applyUrl: 'https://boards.greenhouse.io/acme/jobs/2',
          updatedAt: '2025-01-02T00:00:00.000Z',
        });
      });

      test('bad filters are typed errors naming the field', async () => {
        for (const [filters, field] of [
          [{ limit: 0 }, 'limit'],
          [{ limit: 5000 }, 'limit'],
          [{ postedWithinDays: -1 }, 'postedWithinDays'],
          [{ salaryFloor: Number.NaN }, 'salaryFloor'],
        ] as const) {
          const err = await store.searchJobs(filters).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(StoreError);
          expect((err as StoreError).field).toBe(field);
        }
      });
    });

    describe('searchJobs order past the ranking window (JobSearchFilters.text)', () => {
      // More matches than the window: title matches (`Welder n`) and description-only ones (`Clerk n`, same
      // lengths so every row of a class scores the same), posting dates with ties and some without a date.
      const MATCHES = SEARCH_RANK_WINDOW + 100;
      const titled = (n: number) => n % 3 === 0;
      const posted = (n: number) => (n % 10 === 0 ? null : `2025-0${1 + (n % 5)}-${String(1 + (n % 28)).padStart(2, '0')}`);
      const remote = (n: number) => n % 4 === 0;
      beforeEach(async () => {
        const jobs = Array.from({ length: MATCHES }, (_, i) =>
          makeJob(i + 1, {
            title: titled(i + 1) ? `Welder ${i + 1}` : `Clerk ${i + 1}`,
            description: titled(i + 1) ? `Shop floor work ${i + 1}.` : `Needs a welder ${i + 1}.`,
            date_posted: posted(i + 1),
            workplace_type: remote(i + 1) ? 'remote' : 'onsite',
          }),
        );
        jobs.push(makeJob(MATCHES + 1, { title: 'Airship pilot', description: 'Flies a zeppelin.' }));
        await store.upsertJobs(jobs);
        await store.markExpired([jobId(3), jobId(4)]); // a title match and a description-only one
      });

      /** The defined order over jobs 1..MATCHES that pass `keep`: newest window by class, then the rest by date. */
      const expected = (keep: (n: number) => boolean) => {
        const date = (n: number) => {
          const d = posted(n);
          return d === null ? null : new Date(d).toISOString();
        };
        const byDate = Array.from({ length: MATCHES }, (_, i) => i + 1)
          .filter((n) => n !== 3 && n !== 4 && keep(n))
          .sort((a, b) => {
            const [da, db] = [date(a), date(b)];
            if (da === db) return a - b; // same-length hex ids: byte order is number order
            return da === null ? 1 : db === null ? -1 : da > db ? -1 : 1;
          });
        const window = byDate.slice(0, SEARCH_RANK_WINDOW);
        return [...window.filter(titled), ...window.filter((n) => !titled(n)), ...byDate.slice(SEARCH_RANK_WINDOW)].map(jobId);
      };
      const pages = async (f: Parameters<JobStore['searchJobs']>[0], size: number) => {
        const all: string[] = [];
        for (let offset = 0; ; offset += size) {
          const page = (await store.searchJobs({ ...f, limit: size, offset })).map((j) => j.id);
          all.push(...page);
          if (page.length < size) return all;
        }
      };

      test('pages are disjoint and together the defined order; expired jobs never appear', async () => {
        const order = expected(() => true);
        expect(order).toHaveLength(MATCHES - 2);
        const byPage = await pages({ text: 'welder' }, 100);
        expect(new Set(byPage).size).toBe(byPage.length);
        expect(byPage).toEqual(order);
        // A page across the window's edge, and the first page of the API's size.
        expect((await store.searchJobs({ text: 'welder', limit: 100, offset: 950 })).map((j) => j.id)).toEqual(order.slice(950, 1050));
        expect((await store.searchJobs({ text: 'welders', limit: 21 })).map((j) => j.id)).toEqual(order.slice(0, 21));
      });

      test('a rare term, text with filters, and excludeIds (autopilot) keep the same order', async () => {
        expect((await store.searchJobs({ text: 'zeppelin' })).map((j) => j.id)).toEqual([jobId(MATCHES + 1)]);
        expect(await pages({ text: 'welder', workplaceTypes: ['remote'] }, 50)).toEqual(expected(remote));
        // Excluded jobs do not count: the window is the newest matches that are left.
        const skip = new Set(expected(() => true).slice(0, 40));
        const rest = expected((n) => !skip.has(jobId(n)));
        expect((await store.searchJobs({ text: 'welder', excludeIds: [...skip], limit: 1000 })).map((j) => j.id)).toEqual(
          rest.slice(0, 1000),
        );
        expect(await pages({ text: 'welder', excludeIds: [...skip] }, 300)).toEqual(rest);
      });
    });

    test('a large page upserts in one go', async () => {
      const page = Array.from({ length: 1000 }, (_, i) => makeJob(10_000 + i));
      expect(await store.upsertJobs(page)).toEqual({ upserted: 1000, skipped: 0, older: 0, revived: 0 });
      expect(await store.upsertJobs(page)).toEqual({ upserted: 0, skipped: 1000, older: 0, revived: 0 });
      expect((await store.counts()).active).toBe(1000);
    });
  });
}
