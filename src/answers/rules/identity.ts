/** Who the applicant is and where: names, email, phone, address, public links. */
import { canonicalCountry, countryAliases, e164, groupNational, parsePhone, stateAliases, wantsNationalNumber } from '../normalize';
import { miss, text, type Rule } from '../types';

const noContact = 'the profile has no contact details';

export const identityRules: Rule[] = [
  {
    id: 'first_name',
    test: /\b(first|given) ?name\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.contact?.first_name, noContact),
  },
  {
    id: 'last_name',
    test: /\b(last|family|sur) ?name\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.contact?.last_name, noContact),
  },
  {
    id: 'preferred_name',
    test: /\b(preferred|nick) ?name\b/,
    types: ['text'],
    // The name someone goes by is their first name unless they said otherwise.
    resolve: ({ profile }) => text(profile.contact?.preferred_name || profile.contact?.first_name, noContact),
  },
  {
    id: 'email',
    test: /\be ?mail\b/,
    types: ['email', 'text'],
    resolve: ({ profile }) => text(profile.contact?.email, noContact),
  },
  {
    id: 'phone',
    test: /\b(phone|mobile|telephone|cell)\b(?! (device|type))/,
    types: ['phone', 'text'],
    resolve: ({ profile, wording }) => {
      const raw = profile.contact?.phone;
      if (!raw) return miss('the profile has no phone number');
      const phone = parsePhone(raw, profile.location.country);
      if (!phone) return miss(`the profile's phone number ${JSON.stringify(raw)} is not a phone number`);
      return { kind: 'text', text: wantsNationalNumber(wording) ? groupNational(phone) : e164(phone) };
    },
  },
  {
    id: 'address_line2',
    test: /\b(address (line )?2|apartment|suite|apt)\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.location.address_line2, 'the profile has no second address line'),
  },
  {
    id: 'address_line1',
    test: /\b(address (line )?1|street address|street|address)\b/,
    types: ['text', 'textarea'],
    resolve: ({ profile }) => text(profile.location.address_line1, 'the profile has no street address'),
  },
  {
    id: 'location',
    test: /\b(location|where are you based|where do you live)\b/,
    types: ['text'],
    resolve: ({ profile }) => {
      const l = profile.location;
      const parts = [l.city, l.state, l.country].filter((p): p is string => !!p && p.trim().length > 0);
      return parts.length > 0 ? { kind: 'text', text: parts.join(', ') } : miss('the profile has no location');
    },
  },
  {
    id: 'city',
    test: /\b(city|town)\b/,
    types: ['text', 'select'],
    resolve: ({ profile }) => text(profile.location.city, 'the profile has no city'),
  },
  {
    id: 'state',
    test: /\b(state|province|region)\b/,
    types: ['text', 'select'],
    resolve: ({ profile }) => {
      const state = profile.location.state;
      return state ? { kind: 'choice', text: state, terms: stateAliases(state) } : miss('the profile has no state or province');
    },
  },
  {
    id: 'postal_code',
    test: /\b(postal|zip|postcode|post code)\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.location.postal_code, 'the profile has no postal code'),
  },
  {
    id: 'country',
    test: /\bcountry\b/,
    types: ['text', 'select'],
    resolve: ({ profile }) => {
      const country = profile.location.country;
      if (!country) return miss('the profile has no country');
      return { kind: 'choice', text: canonicalCountry(country) ?? country, terms: [...(countryAliases(country) ?? [country])] };
    },
  },
  {
    id: 'linkedin',
    test: /\blinked ?in\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.links.linkedin, 'the profile has no LinkedIn link'),
  },
  {
    id: 'github',
    test: /\bgit ?hub\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.links.github, 'the profile has no GitHub link'),
  },
  {
    id: 'portfolio',
    test: /\bportfolio\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.links.portfolio || profile.links.website, 'the profile has no portfolio or website link'),
  },
  {
    id: 'website',
    test: /\b(website|web site|personal site|homepage|blog|urls? other|other url)\b/,
    types: ['text'],
    resolve: ({ profile }) => text(profile.links.website || profile.links.portfolio, 'the profile has no website link'),
  },
  {
    // Last: "name" alone is the full name, after school, company and the specific name rules had their turn.
    id: 'full_name',
    test: /\b(full name|your name|name)\b/,
    types: ['text'],
    resolve: ({ profile }) => {
      const c = profile.contact;
      return c ? { kind: 'text', text: `${c.first_name} ${c.last_name}` } : miss(noContact);
    },
  },
];
