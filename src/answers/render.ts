/**
 * A Fact in the shape a field asks for: its type, its options, its wording (date formats).
 * Returns a Miss when the field cannot carry the fact (a decline in a free-text box, a yes/no with no
 * yes/no options) so the question goes to a person instead of getting a wrong answer.
 */
import type { AnswerValue, FormField } from '../jobo/schemas';
import { declineOption, matchOption, rangeOption, yesNoOption, type FieldOption } from './match';
import { formatDate, requestedDateFormat } from './normalize';
import { miss, type Choice, type Fact, type Miss } from './types';

/** The option for a choice: its terms first, then each group of fallbacks in turn. */
function choiceOption(options: FieldOption[], choice: Choice): FieldOption | undefined {
  for (const terms of [choice.terms, ...(choice.fallbacks ?? [])]) {
    const hit = matchOption(options, terms);
    if (hit) return hit;
  }
  return undefined;
}

function optionFor(options: FieldOption[], fact: Fact): FieldOption | undefined {
  switch (fact.kind) {
    case 'bool':
      return yesNoOption(options, fact.value);
    case 'decline':
      return declineOption(options);
    case 'choice':
      return choiceOption(options, fact);
    case 'text':
      return matchOption(options, [fact.text]);
    case 'number':
      return rangeOption(options, fact.exact) ?? matchOption(options, [fact.text]);
    default:
      return undefined;
  }
}

function describeFact(fact: Fact): string {
  switch (fact.kind) {
    case 'bool':
      return fact.value ? 'yes' : 'no';
    case 'decline':
      return 'a decline to answer';
    case 'choice':
    case 'text':
    case 'number':
      return JSON.stringify(fact.text);
    case 'choices':
      return fact.items.map((i) => JSON.stringify(i.text)).join(', ');
    case 'date':
      return fact.iso;
    case 'file':
      return 'a file';
  }
}

function asText(fact: Fact, field: FormField): string | Miss {
  switch (fact.kind) {
    case 'text':
    case 'choice':
    case 'number':
      return fact.text;
    case 'bool':
      return fact.value ? 'Yes' : 'No';
    case 'date':
      return formatDate(fact.iso, requestedDateFormat(`${field.label} ${field.description ?? ''}`));
    case 'choices':
      return fact.items.map((i) => i.text).join(', ');
    case 'decline':
      return miss('declined; a free-text answer would have to say so in words');
    case 'file':
      return miss('a file cannot be written into a text field');
  }
}

export function render(fact: Fact, field: FormField): AnswerValue | Miss {
  const options = field.options ?? [];
  const mismatch = () => miss(`the profile's answer (${describeFact(fact)}) does not fit a ${field.type} field`);
  switch (field.type) {
    case 'file':
      return fact.kind === 'file' ? fact.file : mismatch();
    case 'boolean':
      return fact.kind === 'bool' ? fact.value : mismatch();
    case 'number':
      return fact.kind === 'number' ? fact.value : mismatch();
    case 'date':
      return fact.kind === 'date' ? fact.iso : mismatch();
    case 'select': {
      const hit = optionFor(options, fact);
      return hit ? hit.value : miss(`no option matches the profile's answer (${describeFact(fact)})`);
    }
    case 'multi_select': {
      const picked =
        fact.kind === 'choices'
          ? fact.items.map((i) => choiceOption(options, i)).filter((o): o is FieldOption => o !== undefined)
          : [optionFor(options, fact)].filter((o): o is FieldOption => o !== undefined);
      const values = [...new Set(picked.map((o) => o.value))];
      return values.length > 0 ? values : miss(`no option matches the profile's answer (${describeFact(fact)})`);
    }
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone':
      return asText(fact, field);
  }
}
