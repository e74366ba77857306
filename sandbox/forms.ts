/**
 * The application forms the sandbox serves, one per ATS provider, modelled on what those systems really
 * ask and how they name things (greenhouse `question_<id>` and numeric option values, lever `urls[...]` and
 * `cards[...]`, ashby `_systemfield_*`, workday's multi-page wizard). Deterministic: the same provider and
 * job URL always give the same form; the job URL only contributes the company name to a few labels.
 *
 * Each form carries a required screening question of the kind real ATSs ask: motivation questions
 * (greenhouse, ashby; answerable only from a cover letter template), a project question (lever) and a team
 * choice (generic) that always need a person, and "how did you hear about us" (workday, answered by the
 * engine). test/answers.engine.test.ts pins exactly which fields each profile leaves to a person.
 */
import type { FormField, FieldType } from '../src/jobo/schemas';
import { RESUME_CONTENT_TYPES } from '../src/jobo/schemas';
import { US_STATES } from '../src/answers/places';
import { PROVIDER_NAMES, isProviderId, jobRefOf, type ProviderId } from './urls';

export interface FormPage {
  title: string;
  fields: FormField[];
}

export interface ProviderForm {
  providerId: ProviderId;
  providerName: string;
  pages: FormPage[];
}

type Option = string | [value: string, label: string];

interface FieldSpec {
  required?: boolean;
  options?: Option[];
  description?: string;
  max?: number;
  accept?: readonly string[];
}

function field(name: string, label: string, type: FieldType, spec: FieldSpec = {}): FormField {
  return {
    name,
    label,
    type,
    required: spec.required ?? false,
    options: spec.options ? spec.options.map((o) => (typeof o === 'string' ? { value: o, label: o } : { value: o[0], label: o[1] })) : null,
    description: spec.description ?? null,
    max_length: spec.max ?? null,
    accept: spec.accept ? [...spec.accept] : null,
  };
}

const req = { required: true } as const;
/** Options whose values are opaque numeric ids, as greenhouse sends them. */
const ids = (base: number, labels: string[]): Option[] => labels.map((l, i) => [String(base + i), l]);

const RESUME_TYPES = RESUME_CONTENT_TYPES;
const PDF_DOCX = ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'];

/** "acme-robotics" → "Acme Robotics"; unknown → "the company". */
export function companyNameOf(jobUrl: string): string {
  const company = jobRefOf(jobUrl)?.company;
  if (!company || company === 'example') return 'the company';
  return company
    .split(/[-_.]+/)
    .filter((w) => w.length > 0)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

function greenhouse(company: string): FormPage[] {
  const yesNo = ids(1, ['Yes', 'No']);
  return [
    {
      title: 'Apply for this job',
      fields: [
        field('first_name', 'First Name', 'text', { ...req, max: 255 }),
        field('last_name', 'Last Name', 'text', { ...req, max: 255 }),
        field('email', 'Email', 'email', req),
        field('phone', 'Phone', 'phone', req),
        field('job_application[location]', 'Location (City)', 'text', { max: 255 }),
        field('resume', 'Resume/CV', 'file', { ...req, accept: RESUME_TYPES }),
        field('cover_letter', 'Cover Letter', 'textarea', { max: 10000 }),
        field('question_30001', 'LinkedIn Profile', 'text', { max: 500 }),
        field('question_30002', 'Website', 'text', { max: 500 }),
        field('question_30003', 'Are you legally authorized to work in the United States?', 'select', { ...req, options: yesNo }),
        field(
          'question_30004',
          'Will you now or in the future require sponsorship for employment visa status (e.g. H-1B visa status)?',
          'select',
          { ...req, options: yesNo },
        ),
        field('question_30005', 'What is your desired salary?', 'text', { max: 100 }),
        // Answerable only from a cover letter template; otherwise a person writes it.
        field('question_30006', `What interests you about working at ${company}?`, 'textarea', { ...req, max: 2000 }),
      ],
    },
    {
      title: 'Voluntary Self-Identification',
      fields: [
        field('job_application[gender]', 'Gender', 'select', {
          options: ids(1, ['Male', 'Female', 'Decline To Self Identify']),
        }),
        field('job_application[hispanic_ethnicity]', 'Are you Hispanic/Latino?', 'select', {
          options: ids(1, ['Yes', 'No', 'Decline To Self Identify']),
        }),
        field('job_application[race]', 'Please identify your race', 'select', {
          options: ids(1, [
            'American Indian or Alaskan Native',
            'Asian',
            'Black or African American',
            'Hispanic or Latino',
            'White',
            'Native Hawaiian or Other Pacific Islander',
            'Two or More Races',
            'Decline To Self Identify',
          ]),
        }),
        field('job_application[veteran_status]', 'Veteran Status', 'select', {
          options: ids(1, [
            'I am not a protected veteran',
            'I identify as one or more of the classifications of protected veteran',
            "I don't wish to answer",
          ]),
        }),
        field('job_application[disability_status]', 'Disability Status', 'select', {
          options: ids(1, [
            'Yes, I have a disability (or previously had a disability)',
            'No, I do not have a disability and have not had one in the past',
            'I do not want to answer',
          ]),
        }),
      ],
    },
  ];
}

function lever(): FormPage[] {
  const decline = 'Decline to self-identify';
  return [
    {
      title: 'Submit your application',
      fields: [
        field('resume', 'Resume/CV', 'file', { ...req, accept: RESUME_TYPES }),
        field('name', 'Full name', 'text', { ...req, max: 200 }),
        field('email', 'Email', 'email', req),
        field('phone', 'Phone', 'phone'),
        field('location', 'Current location', 'text', { max: 200 }),
        field('org', 'Current company', 'text', { max: 200 }),
        field('urls[LinkedIn]', 'LinkedIn URL', 'text', { max: 500 }),
        field('urls[GitHub]', 'GitHub URL', 'text', { max: 500 }),
        field('urls[Portfolio]', 'Portfolio URL', 'text', { max: 500 }),
        field('urls[Other]', 'Other website', 'text', { max: 500 }),
        field('pronouns', 'Pronouns', 'multi_select', { options: ['He/him', 'She/her', 'They/them', 'Use name only'] }),
      ],
    },
    {
      title: 'Additional information',
      fields: [
        field('cards[a1f3][field0]', 'Are you currently authorized to work in the country where this role is based?', 'boolean', req),
        field('cards[a1f3][field1]', 'Will you now or in the future require visa sponsorship?', 'boolean', req),
        field('cards[a1f3][field2]', 'Tell us about a project you are proud of.', 'textarea', { ...req, max: 3000 }),
        field('comments', 'Additional information', 'textarea', {
          max: 5000,
          description: 'Add a cover letter or anything else you want to share.',
        }),
        field('eeo[gender]', 'Gender', 'select', { options: ['Male', 'Female', 'Non-binary', decline] }),
        field('eeo[race]', 'Race', 'select', {
          options: [
            'American Indian or Alaska Native',
            'Asian',
            'Black or African American',
            'Hispanic or Latino',
            'Native Hawaiian or Other Pacific Islander',
            'White',
            'Two or More Races',
            decline,
          ],
        }),
        field('eeo[veteran]', 'Veteran status', 'select', { options: ['I am a veteran', 'I am not a veteran', decline] }),
      ],
    },
  ];
}

function ashby(company: string): FormPage[] {
  const decline = 'Decline to self-identify';
  return [
    {
      title: 'Application',
      fields: [
        field('_systemfield_name', 'Name', 'text', { ...req, max: 200 }),
        field('_systemfield_email', 'Email', 'email', req),
        field('_systemfield_phone', 'Phone Number', 'phone'),
        field('_systemfield_resume', 'Resume', 'file', { ...req, accept: PDF_DOCX }),
        field('_systemfield_location', 'Location', 'text', { max: 200 }),
        field('linkedin_url', 'LinkedIn', 'text', { max: 500 }),
        field('github_url', 'GitHub', 'text', { max: 500 }),
        field('work_authorization', 'Are you legally authorized to work in the United States?', 'boolean', req),
        field('visa_sponsorship', 'Will you now or in the future require visa sponsorship?', 'boolean', req),
        field('work_arrangements', 'Which work arrangements are you open to?', 'multi_select', {
          ...req,
          options: [
            ['remote', 'Remote'],
            ['hybrid', 'Hybrid'],
            ['onsite', 'On-site'],
          ],
        }),
        field('years_experience', 'How many years of professional experience do you have?', 'select', {
          ...req,
          options: ['0-1 years', '1-3 years', '3-5 years', '5-10 years', '10+ years'],
        }),
        field('compensation_expectations', 'What are your compensation expectations?', 'text', { max: 200 }),
        field('start_date', 'When could you start?', 'date'),
        field('open_to_relocation', 'Are you open to relocating?', 'boolean'),
        // Answerable only from a cover letter template; otherwise a person writes it.
        field('why_company', `Why do you want to work at ${company}?`, 'textarea', { ...req, max: 1000 }),
        field('cover_letter_file', 'Cover letter', 'file', { accept: ['application/pdf'] }),
      ],
    },
    {
      title: 'Voluntary Self-Identification',
      fields: [
        field('eeo_gender', 'Gender', 'select', { options: ['Male', 'Female', 'Non-binary', decline] }),
        field('eeo_race', 'Race/Ethnicity', 'select', {
          options: [
            'Asian',
            'Black or African American',
            'Hispanic or Latino',
            'White',
            'Native American or Alaska Native',
            'Pacific Islander',
            'Two or more races',
            decline,
          ],
        }),
        field('eeo_veteran', 'Veteran Status', 'select', {
          options: ['I am a protected veteran', 'I am not a protected veteran', decline],
        }),
        field('eeo_lgbtq', 'Do you identify as LGBTQ+?', 'select', { options: ['Yes', 'No', 'Prefer not to say'] }),
      ],
    },
  ];
}

function workday(company: string): FormPage[] {
  const yesNo = ['Yes', 'No'];
  const decline = 'I do not wish to self-identify';
  return [
    {
      title: 'My Information',
      fields: [
        // Required everywhere on workday; the engine answers it by meaning ("Job Board").
        field('source', 'How Did You Hear About Us?', 'select', {
          ...req,
          options: ['Job Board', 'LinkedIn', 'Company Website', 'Employee Referral', 'Other'],
        }),
        field('previous_worker', `Have you previously worked for ${company}?`, 'boolean', req),
        field('legal_first_name', 'First Name', 'text', { ...req, max: 100 }),
        field('legal_last_name', 'Last Name', 'text', { ...req, max: 100 }),
        field('address_line1', 'Address Line 1', 'text', { ...req, max: 240 }),
        field('city', 'City', 'text', { ...req, max: 100 }),
        field('state', 'State', 'select', { ...req, options: US_STATES.map(([code, name]): Option => [`USA-${code}`, name]) }),
        field('postal_code', 'Postal Code', 'text', { ...req, max: 20 }),
        field('country', 'Country', 'select', {
          ...req,
          options: [
            ['USA', 'United States of America'],
            ['CAN', 'Canada'],
            ['GBR', 'United Kingdom'],
            ['DEU', 'Germany'],
            ['IND', 'India'],
          ],
        }),
        field('email', 'Email Address', 'email', req),
        field('phone_device_type', 'Phone Device Type', 'select', { options: ['Mobile', 'Home', 'Work'] }),
        field('phone_number', 'Phone Number', 'phone', {
          ...req,
          description: 'National number without the country code, e.g. 415 555 0100.',
        }),
      ],
    },
    {
      title: 'My Experience',
      fields: [
        field('work_job_title', 'Job Title', 'text', { ...req, max: 200 }),
        field('work_company', 'Company', 'text', { ...req, max: 200 }),
        field('work_currently', 'I currently work here', 'boolean'),
        field('work_from', 'From', 'date', req),
        field('work_to', 'To', 'date'),
        field('edu_school', 'School or University', 'text', { ...req, max: 200 }),
        field('edu_degree', 'Degree', 'select', {
          ...req,
          options: [
            'High School or equivalent',
            "Associate's Degree",
            "Bachelor's Degree",
            "Master's Degree",
            'MBA',
            'Doctorate (PhD)',
            'Other',
          ],
        }),
        field('edu_field_of_study', 'Field of Study', 'text', { max: 200 }),
        field('resume', 'Resume/CV', 'file', { ...req, accept: RESUME_TYPES }),
        field('website_linkedin', 'LinkedIn', 'text', { max: 500 }),
      ],
    },
    {
      title: 'Application Questions',
      fields: [
        field('q_age', 'Are you at least 18 years of age?', 'select', { ...req, options: yesNo }),
        field('q_authorized', 'Are you legally authorized to work in the United States?', 'select', { ...req, options: yesNo }),
        field('q_sponsorship', 'Will you now or in the future require sponsorship for employment visa status (e.g., H-1B)?', 'select', {
          ...req,
          options: yesNo,
        }),
        field('q_salary', 'What are your annual base salary expectations (USD)?', 'number', req),
        field('q_start_date', 'What is your earliest available start date?', 'date', req),
        field('q_relocate', 'Are you willing to relocate?', 'select', { ...req, options: yesNo }),
        field('q_work_arrangement', 'Which work arrangement do you prefer?', 'select', {
          options: ['Remote', 'Hybrid', 'On-site', 'No preference'],
        }),
        field('q_years_experience', 'How many years of professional experience do you have?', 'number', req),
      ],
    },
    {
      title: 'Voluntary Disclosures',
      fields: [
        field('gender', 'Gender', 'select', { ...req, options: ['Male', 'Female', 'Non-Binary', decline] }),
        field('ethnicity', 'Ethnicity', 'select', {
          ...req,
          options: [
            'Hispanic or Latino',
            'White (Not Hispanic or Latino)',
            'Black or African American (Not Hispanic or Latino)',
            'Asian (Not Hispanic or Latino)',
            'American Indian or Alaska Native (Not Hispanic or Latino)',
            'Native Hawaiian or Other Pacific Islander (Not Hispanic or Latino)',
            'Two or More Races (Not Hispanic or Latino)',
            decline,
          ],
        }),
        field('veteran_status', 'Veteran Status', 'select', {
          ...req,
          options: ['I am not a protected veteran', 'I identify as one or more of the classifications of protected veteran', decline],
        }),
        field('disability_status', 'Please indicate if you have a disability', 'select', {
          ...req,
          options: [
            'Yes, I have a disability (or previously had a disability)',
            'No, I do not have a disability and have not had one in the past',
            'I do not want to answer',
          ],
        }),
        field('disclosure_date', "Today's Date", 'date', req),
      ],
    },
  ];
}

function generic(): FormPage[] {
  return [
    {
      title: 'Apply',
      fields: [
        field('full_name', 'Full name', 'text', { ...req, max: 200 }),
        field('email', 'Email address', 'email', req),
        field('phone', 'Phone number', 'phone'),
        field('resume', 'Resume', 'file', { ...req, accept: RESUME_TYPES }),
        field('linkedin', 'LinkedIn profile URL', 'text', { max: 500 }),
        field('portfolio', 'Portfolio or website', 'text', { max: 500 }),
        field('cover_letter', 'Cover letter', 'textarea', { max: 5000 }),
        field('available_from', 'Earliest start date (MM/DD/YYYY)', 'text', { max: 10 }),
        // Always left to a person: nothing in a profile says which team.
        field('team', 'Which team are you applying to?', 'select', {
          ...req,
          options: ['Engineering', 'Product', 'Design', 'Sales', 'Operations'],
        }),
      ],
    },
  ];
}

/** The form a provider shows for a job URL; unknown provider ids get the generic form. */
export function formFor(providerId: string, jobUrl: string): ProviderForm {
  const id: ProviderId = isProviderId(providerId) ? providerId : 'generic';
  const company = companyNameOf(jobUrl);
  const pages =
    id === 'greenhouse'
      ? greenhouse(company)
      : id === 'lever'
        ? lever()
        : id === 'ashby'
          ? ashby(company)
          : id === 'workday'
            ? workday(company)
            : generic();
  return { providerId: id, providerName: PROVIDER_NAMES[id], pages };
}

// ---- the published 3.0.0 form-field shape (served behind the `forms: "v3"` switch) -------------------

const V3_TYPE_NAMES: Record<FieldType, string> = {
  text: 'text',
  email: 'email',
  phone: 'phone',
  date: 'date',
  number: 'number',
  select: 'select',
  multi_select: 'multi_select',
  boolean: 'checkbox',
  textarea: 'text_area',
  file: 'file',
};

/**
 * A live state with its fields in jobo-enterprise 3.0.0's FormFieldInfo shape (field_id, snake_case type
 * names, is_required, options as { value, text }, handler_type) and its validation errors as P3's
 * { field_id, message }. description, max_length and accept have no P3 counterpart; they are kept as extra
 * keys (the P3 model ignores them), since without them no client could respect a length limit.
 */
export function toV3LiveState<T extends { fields: FormField[]; validation_errors: { field: string; message: string }[] }>(state: T) {
  return {
    ...state,
    validation_errors: state.validation_errors.map((e) => ({ field_id: e.field, message: e.message })),
    fields: state.fields.map((f) => ({
      field_id: f.name,
      type: V3_TYPE_NAMES[f.type],
      label: f.label,
      is_required: f.required,
      options: (f.options ?? []).map((o) => ({ value: o.value, text: o.label })),
      handler_type: null,
      ...(f.description !== null ? { description: f.description } : {}),
      ...(f.max_length !== null ? { max_length: f.max_length } : {}),
      ...(f.accept !== null ? { accept: f.accept } : {}),
    })),
  };
}
