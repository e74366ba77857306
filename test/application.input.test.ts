import { applicationWorkflowId, jobKeyOf, validateApplicationInput } from '../src/application/input';

const profileId = '8c5e6d0a-9f2b-4c1e-b7a3-2f4d5e6a7b8c';

test("the workflow id carries the profile and the job key of the canonical URL, never the caller's jobId", () => {
  const key = jobKeyOf({ jobUrl: 'https://jobs.lever.co/acme/1/apply' });
  expect(key).toMatch(/^u-[0-9a-f]{16}$/);
  expect(jobKeyOf({ jobUrl: 'https://jobs.lever.co/acme/1?utm_source=x' })).toBe(key);
  expect(jobKeyOf({ jobUrl: 'https://jobs.lever.co/acme/2/apply' })).not.toBe(key);
  expect(applicationWorkflowId({ profileId, jobUrl: 'https://jobs.lever.co/acme/1/apply' })).toBe(`application/${profileId}/${key}`);
  expect(applicationWorkflowId({ profileId, jobUrl: 'https://jobs.lever.co/acme/1/apply' }, 2)).toBe(
    `application/${profileId}/${key}/retry-2`,
  );
});

test('input problems name each field', () => {
  expect(validateApplicationInput({ profileId, jobUrl: 'https://x.test/1', policy: 'ask', answerDeadlineMinutes: 5 })).toEqual([]);
  expect(
    validateApplicationInput({
      jobUrl: 'x',
      jobId: 'a b',
      campaignId: '',
      policy: 'later',
      answerDeadlineMinutes: 0,
      answers: [],
      extra: 1,
    }).map((p) => p.field),
  ).toEqual(['profileId', 'jobUrl', 'jobId', 'campaignId', 'policy', 'answerDeadlineMinutes', 'answers', 'extra']);
  expect(validateApplicationInput(null)).toEqual([expect.objectContaining({ field: 'input' })]);
});
