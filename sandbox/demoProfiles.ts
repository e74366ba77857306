/**
 * Demo profiles (002: "when testing with demo profiles, use overrideEmail"): made by the sandbox at start
 * with fixed ids, so the README and the banner can name them. One is complete with a resume; one has gaps
 * (no eligibility, preferences, self-identification, cover letter or resume) that leave required questions
 * for a person. Their addresses are example.com ones: pass overrideEmail to see an application's mail.
 */
import type { CreateProfileRequest } from '../src/jobo/schemas';

export interface DemoProfile {
  id: string;
  /** What the banner says about it. */
  summary: string;
  body: CreateProfileRequest;
  resume: { fileName: string; contentType: string; text: string } | null;
}

export const DEMO_PROFILES: DemoProfile[] = [
  {
    id: 'de300000-0000-4000-8000-000000000001',
    summary: 'complete, with a resume',
    body: {
      contact: {
        first_name: 'Demo',
        last_name: 'Complete',
        email: 'demo.complete@example.com',
        phone: '+1 415 555 0142',
        date_of_birth: '1990-04-12',
      },
      location: { address_line1: '1 Demo Way', city: 'Austin', state: 'TX', postal_code: '78701', country: 'United States' },
      links: {
        linkedin: 'https://www.linkedin.com/in/demo-complete',
        github: 'https://github.com/demo-complete',
        website: 'https://demo-complete.example.com',
      },
      work_experience: [
        {
          company: 'Example Systems',
          title: 'Senior Backend Engineer',
          location: 'Austin, TX',
          start_date: '2021-03',
          end_date: null,
          is_current: true,
          description: 'Runs the event pipeline (Go, Kubernetes, PostgreSQL).',
        },
      ],
      education: [
        { school: 'University of Texas', degree: 'BSc', field_of_study: 'Computer Science', start_date: '2010', end_date: '2014' },
      ],
      eligibility: { work_authorized_countries: ['United States'], requires_sponsorship: false },
      preferences: {
        salary_expectation: { amount: 150000, currency: 'USD', period: 'year' },
        earliest_start_date: '2027-01-04',
        willing_to_relocate: true,
        remote_preference: 'remote',
        preferred_locations: ['Austin, TX'],
      },
      self_identification: {
        gender: 'prefer_not_to_say',
        ethnicity: 'prefer_not_to_say',
        veteran_status: 'not_a_veteran',
        disability_status: 'prefer_not_to_say',
        lgbtq_status: 'prefer_not_to_say',
      },
      memories: ['10 years of backend engineering', 'Proud of: an event pipeline handling 2B events a day', 'Team: Engineering'],
      cover_letter_template: 'I would like to bring ten years of backend engineering to {{company}} as {{title}}.',
    },
    resume: { fileName: 'demo-complete.pdf', contentType: 'application/pdf', text: '%PDF-1.4 Demo Complete, Senior Backend Engineer' },
  },
  {
    id: 'de300000-0000-4000-8000-000000000002',
    summary: 'contact only: questions left for a person',
    body: {
      contact: { first_name: 'Demo', last_name: 'Gaps', email: 'demo.gaps@example.com' },
    },
    resume: null,
  },
];
