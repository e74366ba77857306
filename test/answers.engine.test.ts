/**
 * The answer engine against every field of every sandbox provider form, for the reference example profile
 * (003), a sparse one and the example with a cover letter template. The tables are written by hand from the
 * forms and the profiles: a field added to a form without a row here fails the coverage test.
 */
import { formFor } from '../sandbox/forms';
import { PROVIDER_IDS, providerJobUrl, type ProviderId } from '../sandbox/urls';
import { answerFields, missingRequired, type AnswerContext } from '../src/answers';
import { validateAnswers } from '../src/forms/validate';
import type { AnswerValue, FormField, Profile } from '../src/jobo/schemas';
import { exampleProfile, exampleWith, letterProfile, sparseProfile } from './fixtures/profiles';

/** A person must answer it (required, the engine cannot). */
const ASK = { unanswered: 'required' } as const;
/** Left empty (optional, the engine has nothing). */
const SKIP = { unanswered: 'optional' } as const;
/** The select option (or options) with these labels. */
const opt = (...labels: string[]) => ({ labels });
type Expect = AnswerValue | typeof ASK | typeof SKIP | { labels: string[] };
type Row = [field: string, example: Expect, sparse: Expect, withLetter: Expect];

const RESUME_EXAMPLE: AnswerValue = { kind: 'profile_resume', profile_id: exampleProfile.id };
const LINKEDIN = 'https://www.linkedin.com/in/ada-lovelace';
const GITHUB = 'https://github.com/adalovelace';
const WEBSITE = 'https://adalovelace.dev';
const TODAY = '2026-07-10';
const CTX: AnswerContext = { job: { companyName: 'Acme', title: 'Backend Engineer' }, today: TODAY };
/** letterProfile's template filled in for CTX's job, written out by hand. */
const LETTER =
  'Dear Acme team,\n\nI would love to join you as Backend Engineer. At Analytical Engines I led the payments platform team ' +
  'and built an event pipeline handling two billion events a day.\n\nBest regards,\nAda Lovelace';

const TABLES: Record<ProviderId, Row[]> = {
  greenhouse: [
    ['first_name', 'Ada', 'Grace', 'Ada'],
    ['last_name', 'Lovelace', 'Hopper', 'Lovelace'],
    ['email', 'ada@example.com', 'grace@example.com', 'ada@example.com'],
    ['phone', '+14155550100', ASK, '+14155550100'],
    ['job_application[location]', 'Austin, TX, United States', SKIP, 'Austin, TX, United States'],
    ['resume', RESUME_EXAMPLE, ASK, RESUME_EXAMPLE],
    ['cover_letter', SKIP, SKIP, LETTER],
    ['question_30001', LINKEDIN, SKIP, LINKEDIN],
    ['question_30002', WEBSITE, SKIP, WEBSITE],
    ['question_30003', opt('Yes'), ASK, opt('Yes')],
    ['question_30004', opt('No'), ASK, opt('No')],
    ['question_30005', '120,000 USD per year', SKIP, '120,000 USD per year'],
    ['question_30006', ASK, ASK, LETTER],
    ['job_application[gender]', opt('Female'), opt('Decline To Self Identify'), opt('Female')],
    [
      'job_application[hispanic_ethnicity]',
      opt('Decline To Self Identify'),
      opt('Decline To Self Identify'),
      opt('Decline To Self Identify'),
    ],
    ['job_application[race]', opt('Decline To Self Identify'), opt('Decline To Self Identify'), opt('Decline To Self Identify')],
    [
      'job_application[veteran_status]',
      opt('I am not a protected veteran'),
      opt("I don't wish to answer"),
      opt('I am not a protected veteran'),
    ],
    ['job_application[disability_status]', opt('I do not want to answer'), opt('I do not want to answer'), opt('I do not want to answer')],
  ],
  lever: [
    ['resume', RESUME_EXAMPLE, ASK, RESUME_EXAMPLE],
    ['name', 'Ada Lovelace', 'Grace Hopper', 'Ada Lovelace'],
    ['email', 'ada@example.com', 'grace@example.com', 'ada@example.com'],
    ['phone', '+14155550100', SKIP, '+14155550100'],
    ['location', 'Austin, TX, United States', SKIP, 'Austin, TX, United States'],
    ['org', 'Analytical Engines Ltd', SKIP, 'Analytical Engines Ltd'],
    ['urls[LinkedIn]', LINKEDIN, SKIP, LINKEDIN],
    ['urls[GitHub]', GITHUB, SKIP, GITHUB],
    // No portfolio link: the website stands in.
    ['urls[Portfolio]', WEBSITE, SKIP, WEBSITE],
    ['urls[Other]', WEBSITE, SKIP, WEBSITE],
    ['pronouns', SKIP, SKIP, SKIP],
    ['cards[a1f3][field0]', true, ASK, true],
    ['cards[a1f3][field1]', false, ASK, false],
    ['cards[a1f3][field2]', ASK, ASK, ASK],
    ['comments', SKIP, SKIP, LETTER],
    ['eeo[gender]', opt('Female'), opt('Decline to self-identify'), opt('Female')],
    ['eeo[race]', opt('Decline to self-identify'), opt('Decline to self-identify'), opt('Decline to self-identify')],
    ['eeo[veteran]', opt('I am not a veteran'), opt('Decline to self-identify'), opt('I am not a veteran')],
  ],
  ashby: [
    ['_systemfield_name', 'Ada Lovelace', 'Grace Hopper', 'Ada Lovelace'],
    ['_systemfield_email', 'ada@example.com', 'grace@example.com', 'ada@example.com'],
    ['_systemfield_phone', '+14155550100', SKIP, '+14155550100'],
    ['_systemfield_resume', RESUME_EXAMPLE, ASK, RESUME_EXAMPLE],
    ['_systemfield_location', 'Austin, TX, United States', SKIP, 'Austin, TX, United States'],
    ['linkedin_url', LINKEDIN, SKIP, LINKEDIN],
    ['github_url', GITHUB, SKIP, GITHUB],
    ['work_authorization', true, ASK, true],
    ['visa_sponsorship', false, ASK, false],
    ['work_arrangements', opt('Remote'), ASK, opt('Remote')],
    // "8 years of backend engineering experience" (memories) outweighs the 23 months of listed history.
    ['years_experience', opt('5-10 years'), ASK, opt('5-10 years')],
    ['compensation_expectations', '120,000 USD per year', SKIP, '120,000 USD per year'],
    ['start_date', '2026-08-01', SKIP, '2026-08-01'],
    ['open_to_relocation', true, SKIP, true],
    ['why_company', ASK, ASK, LETTER],
    ['cover_letter_file', SKIP, SKIP, SKIP],
    ['eeo_gender', opt('Female'), opt('Decline to self-identify'), opt('Female')],
    ['eeo_race', opt('Decline to self-identify'), opt('Decline to self-identify'), opt('Decline to self-identify')],
    ['eeo_veteran', opt('I am not a protected veteran'), opt('Decline to self-identify'), opt('I am not a protected veteran')],
    ['eeo_lgbtq', opt('Prefer not to say'), opt('Prefer not to say'), opt('Prefer not to say')],
  ],
  workday: [
    ['source', opt('Job Board'), opt('Job Board'), opt('Job Board')],
    ['previous_worker', false, ASK, false],
    ['legal_first_name', 'Ada', 'Grace', 'Ada'],
    ['legal_last_name', 'Lovelace', 'Hopper', 'Lovelace'],
    ['address_line1', '1 Analytical Engine Way', ASK, '1 Analytical Engine Way'],
    ['city', 'Austin', ASK, 'Austin'],
    ['state', opt('Texas'), ASK, opt('Texas')],
    ['postal_code', '78701', ASK, '78701'],
    ['country', opt('United States of America'), ASK, opt('United States of America')],
    ['email', 'ada@example.com', 'grace@example.com', 'ada@example.com'],
    ['phone_device_type', SKIP, SKIP, SKIP],
    // The field asks for the national number.
    ['phone_number', '415 555 0100', ASK, '415 555 0100'],
    ['work_job_title', 'Senior Backend Engineer', ASK, 'Senior Backend Engineer'],
    ['work_company', 'Analytical Engines Ltd', ASK, 'Analytical Engines Ltd'],
    ['work_currently', false, SKIP, false],
    ['work_from', '2021-03-01', ASK, '2021-03-01'],
    ['work_to', '2023-01-01', SKIP, '2023-01-01'],
    ['edu_school', 'University of London', ASK, 'University of London'],
    ['edu_degree', opt("Bachelor's Degree"), ASK, opt("Bachelor's Degree")],
    ['edu_field_of_study', 'Mathematics', SKIP, 'Mathematics'],
    ['resume', RESUME_EXAMPLE, ASK, RESUME_EXAMPLE],
    ['website_linkedin', LINKEDIN, SKIP, LINKEDIN],
    ['q_age', opt('Yes'), ASK, opt('Yes')],
    ['q_authorized', opt('Yes'), ASK, opt('Yes')],
    ['q_sponsorship', opt('No'), ASK, opt('No')],
    ['q_salary', 120000, ASK, 120000],
    ['q_start_date', '2026-08-01', ASK, '2026-08-01'],
    ['q_relocate', opt('Yes'), ASK, opt('Yes')],
    ['q_work_arrangement', opt('Remote'), SKIP, opt('Remote')],
    ['q_years_experience', 8, ASK, 8],
    ['gender', opt('Female'), opt('I do not wish to self-identify'), opt('Female')],
    ['ethnicity', opt('I do not wish to self-identify'), opt('I do not wish to self-identify'), opt('I do not wish to self-identify')],
    ['veteran_status', opt('I am not a protected veteran'), opt('I do not wish to self-identify'), opt('I am not a protected veteran')],
    ['disability_status', opt('I do not want to answer'), opt('I do not want to answer'), opt('I do not want to answer')],
    ['disclosure_date', TODAY, TODAY, TODAY],
  ],
  generic: [
    ['full_name', 'Ada Lovelace', 'Grace Hopper', 'Ada Lovelace'],
    ['email', 'ada@example.com', 'grace@example.com', 'ada@example.com'],
    ['phone', '+14155550100', SKIP, '+14155550100'],
    ['resume', RESUME_EXAMPLE, ASK, RESUME_EXAMPLE],
    ['linkedin', LINKEDIN, SKIP, LINKEDIN],
    ['portfolio', WEBSITE, SKIP, WEBSITE],
    ['cover_letter', SKIP, SKIP, LETTER],
    // A text field that names its format.
    ['available_from', '08/01/2026', SKIP, '08/01/2026'],
    ['team', ASK, ASK, ASK],
  ],
};

const PROFILES: [name: string, profile: Profile, column: 1 | 2 | 3][] = [
  ['example (003)', exampleProfile, 1],
  ['sparse', sparseProfile, 2],
  ['example with a cover letter template', letterProfile, 3],
];

/**
 * What a person still has to answer on each form. "How did you hear about us?" never needs them; a motivation
 * question does only when there is no cover letter to answer it with; a project story and a team never do.
 */
const PERSON_ASKED: Record<ProviderId, [example: string[], withLetter: string[]]> = {
  greenhouse: [['question_30006'], []],
  lever: [['cards[a1f3][field2]'], ['cards[a1f3][field2]']],
  ashby: [['why_company'], []],
  workday: [[], []],
  generic: [['team'], ['team']],
};

function formOf(provider: ProviderId) {
  return formFor(provider, providerJobUrl(provider, 'acme/4567890'));
}

function expectedValue(field: FormField, e: Expect): AnswerValue | undefined {
  if (typeof e === 'object' && e !== null && 'unanswered' in e) return undefined;
  if (typeof e === 'object' && e !== null && 'labels' in e) {
    const values = e.labels.map((label) => {
      const o = (field.options ?? []).find((x) => x.label === label);
      if (!o) throw new Error(`test table: ${field.name} has no option labelled ${label}`);
      return o.value;
    });
    return field.type === 'multi_select' ? values : values[0];
  }
  return e;
}

describe.each(PROVIDER_IDS)('%s form', (provider) => {
  const form = formOf(provider);
  const rows = new Map(TABLES[provider].map((r) => [r[0], r]));

  test('the table covers every field of the form, and nothing else', () => {
    const names = form.pages.flatMap((p) => p.fields.map((f) => f.name));
    expect([...rows.keys()].sort()).toEqual([...names].sort());
  });

  test.each([
    ['example (003)', exampleProfile, 0, 1],
    ['example with a cover letter template', letterProfile, 1, 3],
  ] as const)('a complete profile (%s) leaves exactly the expected questions to a person', (_name, profile, expected, column) => {
    const all = form.pages.flatMap((p) => p.fields);
    const asked = missingRequired(answerFields(profile, all, CTX)).map((u) => u.field);
    expect(asked).toEqual(PERSON_ASKED[provider][expected]);
    // The table's ASK rows say the same.
    expect(TABLES[provider].filter((r) => r[column] === ASK).map((r) => r[0])).toEqual(asked);
  });

  describe.each(PROFILES)('with the %s profile', (_name, profile, column) => {
    describe.each(form.pages.map((p) => [p.title, p] as const))('page %s', (_title, page) => {
      const result = answerFields(profile, page.fields, CTX);

      test.each(page.fields.map((f) => [f.name, f] as const))('%s', (_n, field) => {
        const expected = rows.get(field.name)![column];
        const value = expectedValue(field, expected);
        const gap = result.unanswered.find((u) => u.field === field.name);
        if (value === undefined) {
          expect(result.answers).not.toHaveProperty([field.name]);
          expect(gap).toMatchObject({ field: field.name, label: field.label, required: expected === ASK });
          expect(gap!.reason.length).toBeGreaterThan(0);
        } else {
          expect(gap).toBeUndefined();
          expect(result.answers[field.name]).toEqual(value);
        }
      });

      test('every answer passes validation; only the fields left for a person are reported', () => {
        const mustAsk = page.fields.filter((f) => rows.get(f.name)![column] === ASK).map((f) => f.name);
        expect(missingRequired(result).map((u) => u.field)).toEqual(mustAsk);
        const problems = validateAnswers(page.fields, result.answers);
        expect(problems.map((p) => p.field)).toEqual(mustAsk);
        expect(problems.every((p) => p.message.endsWith('is required'))).toBe(true);
      });
    });
  });
});

describe('answers beyond the example profile', () => {
  const fields = (provider: ProviderId) => formOf(provider).pages.flatMap((p) => p.fields);
  const one = (provider: ProviderId, name: string) => fields(provider).filter((f) => f.name === name);
  const answer = (profile: Profile, provider: ProviderId, name: string, ctx: AnswerContext = CTX) =>
    answerFields(profile, one(provider, name), ctx);

  test('the cover letter template is filled for the job', () => {
    const p = exampleWith((x) => {
      x.cover_letter_template = 'Dear {{company}} team,\nI am {{ first_name }} and I would love to be your {{title}}.';
    });
    for (const [provider, name] of [
      ['greenhouse', 'cover_letter'],
      ['generic', 'cover_letter'],
      ['lever', 'comments'],
    ] as const) {
      expect(answer(p, provider, name).answers[name]).toBe('Dear Acme team,\nI am Ada and I would love to be your Backend Engineer.');
    }
  });

  test('a template placeholder the job cannot fill leaves the letter to a person', () => {
    const p = exampleWith((x) => {
      x.cover_letter_template = 'Dear {{company}} team';
    });
    const r = answer(p, 'greenhouse', 'cover_letter', { today: TODAY });
    expect(r.answers).toEqual({});
    expect(r.unanswered[0].reason).toContain('{{company}}');
  });

  test('a letter longer than the field allows is not sent cut short', () => {
    const p = exampleWith((x) => {
      x.cover_letter_template = 'x'.repeat(5001);
    });
    const r = answer(p, 'generic', 'cover_letter');
    expect(r.answers).toEqual({});
    expect(r.unanswered[0].reason).toContain('at most 5000 characters');
  });

  test('motivation questions get the letter only when it fits the field', () => {
    // 1500 characters: within greenhouse's 2000, over ashby's 1000.
    const p = exampleWith((x) => {
      x.cover_letter_template = `{{company}} ${'y'.repeat(1495)}`;
    });
    expect(answer(p, 'greenhouse', 'question_30006').answers.question_30006).toBe(`Acme ${'y'.repeat(1495)}`);
    const r = answer(p, 'ashby', 'why_company');
    expect(r.answers).toEqual({});
    expect(r.unanswered[0]).toMatchObject({
      field: 'why_company',
      required: true,
      reason: expect.stringContaining('at most 1000 characters'),
    });
  });

  test('a motivation question whose letter needs what the job does not say is left for a person', () => {
    const r = answer(letterProfile, 'ashby', 'why_company', { today: TODAY });
    expect(r.answers).toEqual({});
    expect(r.unanswered[0]).toMatchObject({ required: true, reason: expect.stringContaining('{{company}}') });
    expect(answer(exampleProfile, 'greenhouse', 'question_30006').unanswered[0].reason).toContain('no cover letter template');
  });

  test.each([
    [['Job Board', 'LinkedIn', 'Company Website', 'Employee Referral', 'Other'], 'Job Board'],
    [['LinkedIn', 'Indeed', 'Online job board', 'Other'], 'Online job board'],
    [['Employee Referral', 'Job boards (Indeed, Glassdoor, etc.)', 'Other'], 'Job boards (Indeed, Glassdoor, etc.)'],
    // An exact "Other" does not beat a job board named inside a longer label.
    [['Other', 'Online Job Board / Job Site'], 'Online Job Board / Job Site'],
    [['Referral', 'Internet', 'Company Website', 'Other'], 'Internet'],
    [['Referral', 'Company Website', 'Career Fair', 'Other'], 'Company Website'],
    [['LinkedIn', 'Indeed', 'Employee Referral', 'Other (please specify)'], 'Other (please specify)'],
    // Nothing true to pick: a person answers.
    [['LinkedIn', 'Employee Referral', 'Recruiter'], undefined],
  ])('"How did you hear about us?" with options %j picks %s', (labels, expected) => {
    const field: FormField = {
      name: 'source',
      label: 'How did you hear about us?',
      type: 'select',
      required: true,
      options: labels.map((l, i) => ({ value: String(i + 1), label: l })),
      description: null,
      max_length: null,
      accept: null,
    };
    const r = answerFields(sparseProfile, [field], CTX);
    expect(r.answers.source).toBe(expected === undefined ? undefined : String(labels.indexOf(expected) + 1));
    if (expected === undefined) expect(r.unanswered[0].reason).toContain('no option');
  });

  test('salary is converted to the period asked and refused in another currency', () => {
    const hourly = exampleWith((x) => {
      x.preferences.salary_expectation = { amount: 60, currency: 'USD', period: 'hour' };
    });
    expect(answer(hourly, 'workday', 'q_salary').answers.q_salary).toBe(124800);
    expect(answer(hourly, 'greenhouse', 'question_30005').answers.question_30005).toBe('60 USD per hour');
    const euros = exampleWith((x) => {
      x.preferences.salary_expectation = { amount: 90000, currency: 'EUR', period: 'year' };
    });
    const r = answer(euros, 'workday', 'q_salary');
    expect(r.answers).toEqual({});
    expect(r.unanswered[0]).toMatchObject({ required: true, reason: expect.stringContaining('EUR') });
  });

  test('open to any arrangement picks all of a multi-select and "No preference" of a select', () => {
    const p = exampleWith((x) => {
      x.preferences.remote_preference = 'no_preference';
    });
    expect(answer(p, 'ashby', 'work_arrangements').answers.work_arrangements).toEqual(['remote', 'hybrid', 'onsite']);
    expect(answer(p, 'workday', 'q_work_arrangement').answers.q_work_arrangement).toBe('No preference');
  });

  test('known EEO values pick their option by meaning', () => {
    const p = exampleWith((x) => {
      x.self_identification = {
        gender: 'male',
        ethnicity: 'hispanic_or_latino',
        veteran_status: 'protected_veteran',
        disability_status: 'has_disability',
        lgbtq_status: 'no',
      };
    });
    const r = answerFields(p, formOf('greenhouse').pages[1].fields, CTX).answers;
    expect(r).toEqual({
      'job_application[gender]': '1',
      'job_application[hispanic_ethnicity]': '1',
      'job_application[race]': '4',
      'job_application[veteran_status]': '2',
      'job_application[disability_status]': '1',
    });
    const w = answerFields(p, formOf('workday').pages[3].fields, CTX).answers;
    expect(w.ethnicity).toBe('Hispanic or Latino');
    const white = exampleWith((x) => {
      x.self_identification.ethnicity = 'white';
    });
    // Not fooled by "(Not Hispanic or Latino)" in the other options.
    expect(answer(white, 'workday', 'ethnicity').answers.ethnicity).toBe('White (Not Hispanic or Latino)');
    expect(answer(white, 'greenhouse', 'job_application[hispanic_ethnicity]').answers['job_application[hispanic_ethnicity]']).toBe('2');
  });

  test('a value no option can express goes to a person instead of being declined', () => {
    const p = exampleWith((x) => {
      x.self_identification.gender = 'other';
    });
    const r = answer(p, 'workday', 'gender');
    expect(r.answers).toEqual({});
    expect(r.unanswered[0]).toMatchObject({ field: 'gender', required: true, reason: expect.stringContaining('no option') });
  });

  test('without a date for today, date-dependent questions are left for a person', () => {
    const r = answerFields(
      exampleProfile,
      formOf('workday').pages.flatMap((p) => p.fields),
      { job: { companyName: 'Acme' } },
    );
    expect(
      missingRequired(r)
        .map((u) => u.field)
        .sort(),
    ).toEqual(['disclosure_date', 'q_age']);
  });

  test('without the job company, previous employment is not guessed; with it, the history decides', () => {
    expect(answer(exampleProfile, 'workday', 'previous_worker', { today: TODAY }).answers).toEqual({});
    const ctx = { ...CTX, job: { companyName: 'Analytical Engines' } };
    expect(answer(exampleProfile, 'workday', 'previous_worker', ctx).answers.previous_worker).toBe(true);
  });

  test('a start date already past means today', () => {
    const p = exampleWith((x) => {
      x.preferences.earliest_start_date = '2026-01-15';
    });
    expect(answer(p, 'workday', 'q_start_date').answers.q_start_date).toBe(TODAY);
  });

  test('years of experience come from the history when no memory states them, current job up to today', () => {
    const p = exampleWith((x) => {
      x.memories = [];
      x.work_experience = [
        { company: 'B', title: 'Staff Engineer', start_date: '2022-06', end_date: null, is_current: true },
        { company: 'A', title: 'Engineer', start_date: '2018', end_date: '2022-07' },
      ];
    });
    // 2018-01 .. 2026-07 with the overlap counted once: 103 months.
    expect(answer(p, 'workday', 'q_years_experience').answers.q_years_experience).toBe(8);
    expect(answer(p, 'ashby', 'years_experience').answers.years_experience).toBe('5-10 years');
    expect(answer(p, 'workday', 'work_currently').answers.work_currently).toBe(true);
    const end = answer(p, 'workday', 'work_to');
    expect(end.unanswered[0].reason).toContain('current');
    expect(answer(p, 'workday', 'q_years_experience', { today: undefined }).unanswered[0].field).toBe('q_years_experience');
  });

  test('degrees, states and countries are matched by meaning', () => {
    const p = exampleWith((x) => {
      x.education[0].degree = 'M.Sc. Computer Science';
      x.location.state = 'New York';
      x.location.country = 'USA';
    });
    const r = answerFields(p, [...one('workday', 'edu_degree'), ...one('workday', 'state'), ...one('workday', 'country')], CTX).answers;
    expect(r).toEqual({ edu_degree: "Master's Degree", state: 'USA-NY', country: 'USA' });
  });

  test('work authorization follows the country the question names', () => {
    const p = exampleWith((x) => {
      x.eligibility.work_authorized_countries = ['United Kingdom'];
      x.location.country = 'United Kingdom';
    });
    expect(answer(p, 'ashby', 'work_authorization').answers.work_authorization).toBe(false);
    // Lever's question names no country: the one the person lives in counts.
    expect(answer(p, 'lever', 'cards[a1f3][field0]').answers['cards[a1f3][field0]']).toBe(true);
  });

  test('phone numbers are normalised to what the field asks', () => {
    const p = exampleWith((x) => {
      x.contact!.phone = '(415) 555-0100';
    });
    expect(answer(p, 'greenhouse', 'phone').answers.phone).toBe('+14155550100');
    expect(answer(p, 'workday', 'phone_number').answers.phone_number).toBe('415 555 0100');
    const uk = exampleWith((x) => {
      x.contact!.phone = '+44 20 7946 0958';
    });
    expect(answer(uk, 'generic', 'phone').answers.phone).toBe('+442079460958');
    expect(answer(uk, 'workday', 'phone_number').answers.phone_number).toBe('207 946 0958');
  });

  test('a resume of a type the field does not accept is left for a person', () => {
    const p = exampleWith((x) => {
      x.resume!.content_type = 'text/plain';
    });
    const r = answer(p, 'ashby', '_systemfield_resume');
    expect(r.unanswered[0]).toMatchObject({ required: true, reason: expect.stringContaining('text/plain') });
    expect(answer(p, 'greenhouse', 'resume').answers.resume).toEqual({ kind: 'profile_resume', profile_id: p.id });
  });

  test.each([
    ['Are you authorized to work in the US?', 'boolean', null, true],
    ['Desired hourly rate', 'number', null, 57.69],
    ['Current Employer', 'text', null, 'Analytical Engines Ltd'],
    ['Highest level of education', 'select', ["Master's", "Bachelor's"], "Bachelor's"],
    ['Do you require visa sponsorship now or in the future?', 'select', ['Yes, I will', 'No, I will not'], 'No, I will not'],
    ['Sexual orientation', 'select', ['Heterosexual', 'Gay', 'I prefer not to say'], 'I prefer not to say'],
    ['How did you hear about us?', 'text', null, 'Online job board'],
    // About the source, not the person's employer.
    ['How did you hear about our company?', 'text', null, 'Online job board'],
    ['Where did you first learn of this opening?', 'textarea', null, 'Online job board'],
    ['Referral source', 'select', ['Employee', 'Job posting', 'Other'], 'Job posting'],
    // Questions the profile does not answer stay with the person, whatever words they share with ones it does.
    ['Who referred you?', 'text', null, undefined],
    ['Why are you interested in this role?', 'textarea', null, undefined],
    ['Years of experience with Go', 'number', null, undefined],
    ['What is your notice period?', 'text', null, undefined],
  ] as const)('wording beyond the sandbox forms: %s', (label, type, options, expected) => {
    const field: FormField = {
      name: 'q',
      label,
      type,
      required: true,
      options: options ? options.map((o) => ({ value: o, label: o })) : null,
      description: null,
      max_length: null,
      accept: null,
    };
    expect(answerFields(exampleProfile, [field], CTX).answers.q).toEqual(expected);
  });

  test.each([
    ['Why are you interested in this role?', 'textarea'],
    ['Why would you like to join Acme?', 'text'],
    ['What excites you about this position?', 'textarea'],
    ['What made you apply?', 'textarea'],
  ] as const)('a motivation question is answered with the cover letter: %s', (label, type) => {
    const field: FormField = { name: 'q', label, type, required: true, options: null, description: null, max_length: 2000, accept: null };
    expect(answerFields(letterProfile, [field], CTX).answers.q).toBe(LETTER);
    expect(answerFields(exampleProfile, [field], CTX).answers.q).toBeUndefined();
  });

  test('the engine is deterministic', () => {
    const all = PROVIDER_IDS.flatMap((id) => formOf(id).pages.flatMap((p) => p.fields));
    expect(answerFields(exampleProfile, all, CTX)).toEqual(answerFields(exampleProfile, all, CTX));
  });
});
