/** Questions about the application itself: how the person found the job, and why they want it. */
import { coverLetterFact } from '../coverLetter';
import { miss, type Fact, type Rule } from '../types';

/**
 * Jobs reach the person through a jobs feed, so the true answer to "how did you hear about us" is an online
 * job board. Options are tried by meaning, most accurate first: a job board or posting, then the internet in
 * general, then the company's own site (where the posting lives), and "Other" only when nothing fits.
 * A referral, a recruiter or a named site (LinkedIn, Indeed) would be untrue, so they are never picked.
 */
const SOURCE: Fact = {
  kind: 'choice',
  text: 'Online job board',
  terms: [
    'job board',
    'job boards',
    'online job board',
    'online job boards',
    'job site',
    'job sites',
    'job website',
    'job websites',
    'job search site',
    'job search website',
    'job search engine',
    'job posting',
    'job postings',
    'online job posting',
    'job listing',
    'job listings',
    'job ad',
    'job advertisement',
  ],
  fallbacks: [
    ['online posting', 'online advertisement', 'online ad', 'internet', 'internet search', 'online search', 'web search', 'online'],
    [
      'company website',
      'company web site',
      'company site',
      'careers page',
      'career page',
      'careers site',
      'career site',
      'careers website',
      'career website',
      'website',
      'web site',
    ],
    ['other'],
  ],
};

export const applicationRules: Rule[] = [
  {
    // Not "who referred you": that asks for a person's name.
    id: 'source',
    test: /\b(how did you (first )?(hear|learn|find out) (about|of)|how did you (find|discover|come across) (us|this|the|our)|where did you (first )?(hear|learn|find out) (about|of)|where did you (find|see|discover|come across) (us|this|the|our)|how you heard about|(referral|recruiting|recruitment|application|applicant|candidate|job|lead|hiring) source|source of (application|referral|hire|candidacy))\b/,
    types: ['select', 'multi_select', 'text', 'textarea'],
    resolve: () => SOURCE,
  },
  {
    // The person's cover letter says why they apply; without one only the person can.
    id: 'motivation',
    test: /\b(why (do|would) you (want|like|wish) to (work|join|be part)|why do you want (this|the) (role|job|position)|why (are|were) you (interested|excited|applying)|why did you (apply|choose)|why (this|our) (company|role|position|job|opportunity)|what (interests|excites|attracts|draws|motivates|appeals to) you (about|to|in)|what (made|makes) you (want to (apply|work|join)|apply|interested|decide to apply)|reasons? for (applying|your interest|wanting))\b/,
    types: ['text', 'textarea'],
    resolve: ({ profile, ctx }) =>
      profile.cover_letter_template
        ? coverLetterFact(profile, ctx)
        : miss('the profile has no cover letter template to say why the person applies'),
  },
];
