/** Work history, education, the resume and the cover letter. */
import type { Profile } from '../../jobo/schemas';
import { coverLetterFact } from '../coverLetter';
import { hasWords, monthsCovered, norm, parseYearMonth, toIsoDate, type YearMonth } from '../normalize';
import { bool, date, miss, text, type AnswerContext, type Fact, type Miss, type Rule } from '../types';

const noWork = 'the profile has no work history';
const noEducation = 'the profile has no education';

const latestJob = (p: Profile) => p.work_experience[0];
const latestSchool = (p: Profile) => p.education[0];

/**
 * Years of experience: the months the work history covers (overlaps once), or a number the person stated in
 * their memories ("8 years of backend engineering experience"), whichever is larger — a history imported
 * from a resume is often partial, a stated figure is the person's own.
 */
export function yearsOfExperience(profile: Profile, ctx: AnswerContext): number | Miss {
  const today = ctx.today ? parseYearMonth(ctx.today) : null;
  const ranges: { from: YearMonth; to: YearMonth }[] = [];
  let needsToday = false;
  for (const job of profile.work_experience) {
    const from = parseYearMonth(job.start_date);
    const to = job.end_date ? parseYearMonth(job.end_date, true) : job.is_current ? today : from;
    if (!from) continue;
    if (!to) {
      needsToday = true;
      continue;
    }
    ranges.push({ from, to });
  }
  const fromHistory = ranges.length > 0 ? monthsCovered(ranges) / 12 : null;
  const stated = profile.memories
    .map((m) => /\b(\d{1,2})\+? years? of\b[^.]*\bexperience\b/i.exec(m))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  // Without today a current job cannot be counted, and a partial count would understate the answer.
  if (needsToday && stated.length === 0) return miss("today's date is needed to count the current job");
  const best = Math.max(fromHistory ?? -1, ...stated);
  if (best >= 0) return best;
  return miss(profile.work_experience.length > 0 ? 'the work history has no dates' : noWork);
}

// Most specific first: an MBA is a master's degree, but a form that lists MBA wants that option.
const DEGREES: { terms: string[]; label: string }[] = [
  { label: 'MBA', terms: ['mba', 'master of business administration'] },
  { label: 'Doctorate', terms: ['phd', 'ph d', 'doctorate', 'doctoral', 'dphil', 'doctor of philosophy', 'doctor'] },
  {
    label: "Master's",
    terms: ['master', 'masters', 'msc', 'm sc', 'ms', 'ma', 'meng', 'm eng', 'mphil', 'master of science', 'master of arts'],
  },
  { label: "Bachelor's", terms: ['bachelor', 'bachelors', 'bsc', 'b sc', 'bs', 'ba', 'b a', 'beng', 'b eng', 'undergraduate'] },
  { label: 'Associate', terms: ['associate', 'associates', 'aa', 'as'] },
  { label: 'High School', terms: ['high school', 'secondary school', 'ged', 'a levels'] },
];

function degreeFact(degree: string): Fact {
  const n = norm(degree);
  const level = DEGREES.find((d) => d.terms.some((t) => hasWords(n, t)));
  return { kind: 'choice', text: degree, terms: level ? [degree, ...level.terms] : [degree] };
}

export const careerRules: Rule[] = [
  {
    id: 'resume',
    test: /\b(resume|cv|curriculum vitae)\b/,
    types: ['file'],
    resolve: ({ profile, field }) => {
      if (!profile.resume) return miss('the profile has no resume uploaded');
      if (field.accept && field.accept.length > 0 && !field.accept.includes(profile.resume.content_type)) {
        return miss(`the resume is ${profile.resume.content_type}; this field takes ${field.accept.join(', ')}`);
      }
      return { kind: 'file', file: { kind: 'profile_resume', profile_id: profile.id } };
    },
  },
  {
    id: 'cover_letter',
    test: /\b(cover(ing)? letter|motivation(al)? letter|letter of motivation)\b/,
    resolve: ({ profile, field, ctx }) => {
      if (field.type === 'file') return miss('a cover letter is only written into text fields, not uploaded as a file');
      return coverLetterFact(profile, ctx);
    },
  },
  {
    id: 'years_of_experience',
    // Total experience only: "years of experience with Go" asks about a skill the profile does not measure.
    test: /\b(years? of (professional |relevant |work |total |industry |overall )?(work )?experience|experience in years|total experience)\b(?! (with|in|using|of)\b)/,
    types: ['number', 'select', 'text'],
    resolve: ({ profile, ctx }) => {
      const years = yearsOfExperience(profile, ctx);
      if (typeof years !== 'number') return years;
      const whole = Math.floor(years);
      return { kind: 'number', value: whole, exact: years, text: String(whole) };
    },
  },
  {
    id: 'previously_employed',
    test: /\b(previous(ly)? (worked|employed|employee|worker)|former employee|ever (worked|been employed))\b/,
    types: ['boolean', 'select'],
    resolve: ({ profile, ctx, wording }) => {
      // An empty history says nothing either way.
      if (profile.work_experience.length === 0) return miss(noWork);
      const companies = profile.work_experience.map((w) => norm(w.company));
      // The company named in the question itself settles it; otherwise compare with the job's company.
      if (companies.some((c) => c.length > 0 && hasWords(norm(wording), c))) return { kind: 'bool', value: true };
      const company = ctx.job?.companyName;
      if (!company) return miss("the job's company is not known, so previous employment cannot be checked");
      const target = norm(company);
      return { kind: 'bool', value: companies.some((c) => c === target || hasWords(c, target) || hasWords(target, c)) };
    },
  },
  {
    id: 'currently_employed_here',
    test: /\b(currently work|current(ly)? employed|still work)\b/,
    types: ['boolean', 'select'],
    resolve: ({ profile }) => {
      const job = latestJob(profile);
      return job ? bool(job.is_current ?? false, noWork) : miss(noWork);
    },
  },
  {
    id: 'work_start',
    test: /\b(work|employment|job|experience|position)\b.*\b(from|start)\b/,
    types: ['date'],
    resolve: ({ profile }) => {
      const job = latestJob(profile);
      return job ? date(toIsoDate(job.start_date), 'the latest job has no start date') : miss(noWork);
    },
  },
  {
    id: 'work_end',
    test: /\b(work|employment|job|experience|position)\b.*\b(to|end|until)\b/,
    types: ['date'],
    resolve: ({ profile }) => {
      const job = latestJob(profile);
      if (!job) return miss(noWork);
      if (job.is_current) return miss('the latest job is current and has no end date');
      return date(toIsoDate(job.end_date), 'the latest job has no end date');
    },
  },
  {
    id: 'job_title',
    test: /\b(job title|current title|title|current position|current role)\b/,
    types: ['text'],
    resolve: ({ profile }) => text(latestJob(profile)?.title, noWork),
  },
  {
    id: 'company',
    test: /\b(company|employer|organi[sz]ation|org)\b/,
    types: ['text'],
    resolve: ({ profile }) => text(latestJob(profile)?.company, noWork),
  },
  {
    id: 'field_of_study',
    test: /\b(field of study|major|discipline|area of study|concentration)\b/,
    types: ['text', 'select'],
    resolve: ({ profile }) =>
      text(latestSchool(profile)?.field_of_study, latestSchool(profile) ? 'the education has no field of study' : noEducation),
  },
  {
    id: 'school',
    test: /\b(school|university|college|institution)\b/,
    types: ['text', 'select'],
    resolve: ({ profile }) => text(latestSchool(profile)?.school, noEducation),
  },
  {
    id: 'degree',
    test: /\b(degree|level of education|highest education|education level)\b/,
    types: ['text', 'select'],
    resolve: ({ profile }) => {
      const degree = latestSchool(profile)?.degree;
      return degree ? degreeFact(degree) : miss(latestSchool(profile) ? 'the education has no degree' : noEducation);
    },
  },
  {
    id: 'gpa',
    test: /\b(gpa|grade point)\b/,
    types: ['text'],
    resolve: ({ profile }) => text(latestSchool(profile)?.gpa, 'the profile has no GPA'),
  },
  {
    id: 'graduation',
    test: /\bgraduat\w*\b/,
    types: ['date', 'text'],
    resolve: ({ profile }) => date(toIsoDate(latestSchool(profile)?.end_date), 'the profile has no graduation date'),
  },
];
