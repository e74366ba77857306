/**
 * Place names the engine and the sandbox forms share: US states (forms offer them as select options, profiles
 * store either the code or the name) and country aliases (profiles say "United States", forms say
 * "United States of America" or "USA").
 */

export const US_STATES: readonly [code: string, name: string][] = [
  ['AL', 'Alabama'], ['AK', 'Alaska'], ['AZ', 'Arizona'], ['AR', 'Arkansas'], ['CA', 'California'],
  ['CO', 'Colorado'], ['CT', 'Connecticut'], ['DE', 'Delaware'], ['DC', 'District of Columbia'],
  ['FL', 'Florida'], ['GA', 'Georgia'], ['HI', 'Hawaii'], ['ID', 'Idaho'], ['IL', 'Illinois'],
  ['IN', 'Indiana'], ['IA', 'Iowa'], ['KS', 'Kansas'], ['KY', 'Kentucky'], ['LA', 'Louisiana'],
  ['ME', 'Maine'], ['MD', 'Maryland'], ['MA', 'Massachusetts'], ['MI', 'Michigan'], ['MN', 'Minnesota'],
  ['MS', 'Mississippi'], ['MO', 'Missouri'], ['MT', 'Montana'], ['NE', 'Nebraska'], ['NV', 'Nevada'],
  ['NH', 'New Hampshire'], ['NJ', 'New Jersey'], ['NM', 'New Mexico'], ['NY', 'New York'],
  ['NC', 'North Carolina'], ['ND', 'North Dakota'], ['OH', 'Ohio'], ['OK', 'Oklahoma'], ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'], ['RI', 'Rhode Island'], ['SC', 'South Carolina'], ['SD', 'South Dakota'],
  ['TN', 'Tennessee'], ['TX', 'Texas'], ['UT', 'Utah'], ['VT', 'Vermont'], ['VA', 'Virginia'],
  ['WA', 'Washington'], ['WV', 'West Virginia'], ['WI', 'Wisconsin'], ['WY', 'Wyoming'],
];

/** Each group lists spellings of one country; the first is the display name. */
export const COUNTRY_ALIASES: readonly (readonly string[])[] = [
  ['United States', 'United States of America', 'USA', 'US', 'U.S.', 'U.S.A.', 'America'],
  ['United Kingdom', 'UK', 'U.K.', 'Great Britain', 'Britain', 'England', 'GBR', 'GB'],
  ['Canada', 'CAN', 'CA'],
  ['Germany', 'Deutschland', 'DEU', 'DE'],
  ['India', 'IND', 'IN'],
  ['France', 'FRA', 'FR'],
  ['Ireland', 'IRL', 'IE'],
  ['Netherlands', 'The Netherlands', 'Holland', 'NLD', 'NL'],
  ['Australia', 'AUS', 'AU'],
  ['Spain', 'ESP', 'ES'],
];
