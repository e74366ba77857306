/**
 * Every rule in the order they are tried: the first whose pattern and field type fit wins. Narrow topics
 * go first so a broad word cannot steal a question ("Are you authorized to work in the United States?"
 * must not become a "state" question, nor "Email address" an "address"). Questions about the application
 * lead: "How did you hear about our company?" is about the source, not the person's employer.
 */
import type { FormField } from '../../jobo/schemas';
import { norm } from '../normalize';
import type { Rule } from '../types';
import { applicationRules } from './application';
import { careerRules } from './career';
import { eeoRules } from './eeo';
import { eligibilityRules } from './eligibility';
import { identityRules } from './identity';

export const RULES: readonly Rule[] = [...applicationRules, ...eeoRules, ...eligibilityRules, ...careerRules, ...identityRules];

function firstRule(text: string, field: FormField): Rule | undefined {
  return RULES.find((r) => (!r.types || r.types.includes(field.type)) && r.test.test(text));
}

/** The rule for a field by its name and label, else by its description (lever hides "cover letter" there). */
export function ruleFor(field: FormField): Rule | undefined {
  return (
    firstRule(norm(`${field.name} ${field.label}`), field) ?? (field.description ? firstRule(norm(field.description), field) : undefined)
  );
}
