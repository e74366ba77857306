/** The profile's cover letter template filled in for one job: {{company}}, {{title}}, {{first_name}}, ... */
import type { Profile } from '../jobo/schemas';
import { miss, type AnswerContext, type Fact, type Miss } from './types';

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/gi;

/** The letter, or why it cannot be written (a placeholder with nothing to put in it). */
export function fillTemplate(template: string, profile: Profile, ctx: AnswerContext): string | Miss {
  const values: Record<string, string | undefined> = {
    company: ctx.job?.companyName,
    title: ctx.job?.title,
    first_name: profile.contact?.first_name,
    last_name: profile.contact?.last_name,
    full_name: profile.contact ? `${profile.contact.first_name} ${profile.contact.last_name}` : undefined,
  };
  const missing = new Set<string>();
  const letter = template.replace(PLACEHOLDER, (whole, key: string) => {
    const value = values[key.toLowerCase()];
    if (value === undefined || value.trim() === '') missing.add(whole);
    return value ?? whole;
  });
  // A letter with a raw {{placeholder}} in it would go out to an employer: leave it to a person instead.
  if (missing.size > 0) return miss(`the cover letter template needs ${[...missing].join(', ')}, which this job does not provide`);
  return letter.trim();
}

/** The profile's letter for this job as a text answer (cover letter fields and motivation questions). */
export function coverLetterFact(profile: Profile, ctx: AnswerContext): Fact | Miss {
  if (!profile.cover_letter_template) return miss('the profile has no cover letter template');
  const filled = fillTemplate(profile.cover_letter_template, profile, ctx);
  return typeof filled === 'string' ? { kind: 'text', text: filled } : filled;
}
