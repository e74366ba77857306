/** Word pools for synthetic jobs. Plain data, kept apart so the generator reads as logic. */

export interface TitleFamily {
  /** The team name ("join our Engineering team", "Head of Engineering"). */
  area: string;
  titles: readonly string[];
  skills: readonly string[];
  responsibilities: readonly string[];
  certifications: readonly string[];
  degree: string;
}

export const FAMILIES: readonly TitleFamily[] = [
  {
    area: 'Engineering',
    titles: [
      'Software Engineer',
      'Backend Engineer',
      'Frontend Engineer',
      'Full Stack Engineer',
      'Site Reliability Engineer',
      'Platform Engineer',
      'Mobile Engineer',
    ],
    skills: [
      'TypeScript',
      'Go',
      'Python',
      'Java',
      'Kubernetes',
      'PostgreSQL',
      'React',
      'AWS',
      'Terraform',
      'gRPC',
      'Kafka',
      'Redis',
      'Rust',
      'GraphQL',
    ],
    responsibilities: [
      'Design, build and operate services that handle millions of requests per day',
      'Own features end to end, from design document to production rollout',
      'Review code and mentor engineers on the team',
      'Improve reliability, observability and on-call health of our systems',
      'Work with product and design to shape the roadmap',
      'Keep our CI/CD pipelines fast and our deploys boring',
    ],
    certifications: ['AWS Certified Solutions Architect', 'Certified Kubernetes Administrator'],
    degree: "Bachelor's degree in Computer Science or a related field",
  },
  {
    area: 'Data',
    titles: ['Data Engineer', 'Data Scientist', 'Machine Learning Engineer', 'Analytics Engineer', 'Data Analyst'],
    skills: ['SQL', 'Python', 'dbt', 'Spark', 'Airflow', 'Snowflake', 'PyTorch', 'statistics', 'Looker', 'BigQuery'],
    responsibilities: [
      'Build reliable batch and streaming data pipelines',
      'Model data for analytics and machine learning use cases',
      'Partner with stakeholders to turn questions into measurable answers',
      'Ship and monitor models in production',
      'Define metrics and keep dashboards trustworthy',
    ],
    certifications: ['Google Professional Data Engineer', 'Databricks Certified Data Engineer'],
    degree: "Bachelor's degree in Statistics, Mathematics, Computer Science or equivalent",
  },
  {
    area: 'Product',
    titles: ['Product Designer', 'UX Researcher', 'Product Manager', 'Technical Program Manager'],
    skills: ['Figma', 'user research', 'prototyping', 'roadmapping', 'A/B testing', 'stakeholder management', 'JIRA'],
    responsibilities: [
      'Lead discovery with customers and translate insights into product decisions',
      'Write clear specs and keep teams aligned on priorities',
      'Design flows, prototypes and polished interfaces',
      'Measure outcomes and iterate quickly',
    ],
    certifications: ['Certified Scrum Product Owner', 'PMP'],
    degree: "Bachelor's degree or equivalent practical experience",
  },
  {
    area: 'Sales',
    titles: ['Account Executive', 'Sales Development Representative', 'Customer Success Manager', 'Solutions Engineer'],
    skills: ['Salesforce', 'negotiation', 'pipeline management', 'discovery calls', 'HubSpot', 'presentation skills'],
    responsibilities: [
      'Own a book of business and grow revenue within it',
      'Run discovery, demos and negotiations with prospects',
      'Partner with customers to drive adoption and renewals',
      'Keep the CRM accurate and forecasts honest',
    ],
    certifications: ['MEDDIC certification'],
    degree: "Bachelor's degree preferred",
  },
  {
    area: 'Marketing',
    titles: ['Marketing Manager', 'Content Marketing Manager', 'Growth Marketer', 'Product Marketing Manager'],
    skills: ['SEO', 'content strategy', 'Google Analytics', 'paid acquisition', 'copywriting', 'lifecycle marketing'],
    responsibilities: [
      'Plan and run campaigns across channels',
      'Write positioning, messaging and launch plans',
      'Analyse funnel performance and run experiments',
      'Collaborate with sales on pipeline goals',
    ],
    certifications: ['Google Ads certification', 'HubSpot Inbound certification'],
    degree: "Bachelor's degree in Marketing, Communications or a related field",
  },
  {
    area: 'Operations',
    titles: ['Accountant', 'Financial Analyst', 'Payroll Specialist', 'Recruiter', 'People Operations Partner', 'Office Manager'],
    skills: ['Excel', 'NetSuite', 'financial modeling', 'GAAP', 'Workday HCM', 'Greenhouse', 'employment law'],
    responsibilities: [
      'Own monthly close and reconciliations',
      'Build forecasts and budget models',
      'Run hiring processes end to end',
      'Keep people operations compliant and pleasant',
    ],
    certifications: ['CPA', 'SHRM-CP'],
    degree: "Bachelor's degree in Finance, Accounting, Business or a related field",
  },
];

export const LEVELS = [
  { prefix: 'Junior ', level: 'entry', years: 0 },
  { prefix: '', level: 'mid', years: 2 },
  { prefix: 'Senior ', level: 'senior', years: 5 },
  { prefix: 'Staff ', level: 'lead', years: 8 },
  { prefix: 'Lead ', level: 'lead', years: 7 },
  // Executives are titled by area instead ("Head of Engineering").
  { prefix: 'Head of ', level: 'executive', years: 10 },
] as const;

export const COMPANY_PREFIXES = [
  'Acme',
  'Northwind',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Cyberdyne',
  'Tyrell',
  'Aperture',
  'Black Mesa',
  'Monarch',
  'Oscorp',
  'Wonka',
  'Gringotts',
  'Pied Piper',
  'Dunder',
  'Blue Harbor',
  'Red Canyon',
  'Silver Birch',
  'Golden Gate',
  'Iron Peak',
  'Copper Leaf',
  'Granite',
  'Lumen',
  'Nimbus',
  'Quantum',
  'Vertex',
  'Helix',
  'Orbit',
  'Nova',
  'Polaris',
  'Zephyr',
  'Atlas',
  'Beacon',
  'Cascade',
  'Summit',
  'Evergreen',
  'Tidal',
  'Meridian',
  'Keystone',
  'Fathom',
  'Sparrow',
  'Falcon',
  'Otter',
  'Maple',
  'Cedar',
  'Ember',
  'Prism',
  'Circuit',
  'Pixel',
  'Vector',
  'Signal',
  'Harbor',
  'Anchor',
  'Compass',
  'Lighthouse',
];
export const COMPANY_SUFFIXES = [
  'Labs',
  'Systems',
  'Technologies',
  'Health',
  'Robotics',
  'Analytics',
  'Software',
  'Networks',
  'Energy',
  'Bio',
  'Logistics',
  'Finance',
  'Security',
  'Media',
  'Games',
  'Foods',
  'Mobility',
  'Cloud',
  'AI',
  'Works',
  'Partners',
  'Group',
  'Studios',
  'Dynamics',
  'Industries',
  'Capital',
  'Commerce',
  'Data',
  'Devices',
  'Learning',
];
export const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Healthcare',
  'E-commerce',
  'Education',
  'Logistics',
  'Media',
  'Energy',
  'Manufacturing',
  'Cybersecurity',
  'Gaming',
  'Biotechnology',
  null,
];
export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001-10000', '10000+', null];

export interface Place {
  city: string;
  state: string | null;
  country: string;
  code: string;
  lat: number;
  lng: number;
  currency: string;
}

export const PLACES: readonly Place[] = [
  { city: 'San Francisco', state: 'CA', country: 'United States', code: 'US', lat: 37.7749, lng: -122.4194, currency: 'USD' },
  { city: 'New York', state: 'NY', country: 'United States', code: 'US', lat: 40.7128, lng: -74.006, currency: 'USD' },
  { city: 'Austin', state: 'TX', country: 'United States', code: 'US', lat: 30.2672, lng: -97.7431, currency: 'USD' },
  { city: 'Seattle', state: 'WA', country: 'United States', code: 'US', lat: 47.6062, lng: -122.3321, currency: 'USD' },
  { city: 'Chicago', state: 'IL', country: 'United States', code: 'US', lat: 41.8781, lng: -87.6298, currency: 'USD' },
  { city: 'Boston', state: 'MA', country: 'United States', code: 'US', lat: 42.3601, lng: -71.0589, currency: 'USD' },
  { city: 'Denver', state: 'CO', country: 'United States', code: 'US', lat: 39.7392, lng: -104.9903, currency: 'USD' },
  { city: 'Atlanta', state: 'GA', country: 'United States', code: 'US', lat: 33.749, lng: -84.388, currency: 'USD' },
  { city: 'Toronto', state: 'ON', country: 'Canada', code: 'CA', lat: 43.6532, lng: -79.3832, currency: 'CAD' },
  { city: 'Vancouver', state: 'BC', country: 'Canada', code: 'CA', lat: 49.2827, lng: -123.1207, currency: 'CAD' },
  { city: 'London', state: null, country: 'United Kingdom', code: 'GB', lat: 51.5074, lng: -0.1278, currency: 'GBP' },
  { city: 'Manchester', state: null, country: 'United Kingdom', code: 'GB', lat: 53.4808, lng: -2.2426, currency: 'GBP' },
  { city: 'Berlin', state: null, country: 'Germany', code: 'DE', lat: 52.52, lng: 13.405, currency: 'EUR' },
  { city: 'Munich', state: 'Bavaria', country: 'Germany', code: 'DE', lat: 48.1351, lng: 11.582, currency: 'EUR' },
  { city: 'Amsterdam', state: null, country: 'Netherlands', code: 'NL', lat: 52.3676, lng: 4.9041, currency: 'EUR' },
  { city: 'Paris', state: null, country: 'France', code: 'FR', lat: 48.8566, lng: 2.3522, currency: 'EUR' },
  { city: 'Dublin', state: null, country: 'Ireland', code: 'IE', lat: 53.3498, lng: -6.2603, currency: 'EUR' },
  { city: 'Lisbon', state: null, country: 'Portugal', code: 'PT', lat: 38.7223, lng: -9.1393, currency: 'EUR' },
  { city: 'Bangalore', state: 'Karnataka', country: 'India', code: 'IN', lat: 12.9716, lng: 77.5946, currency: 'INR' },
  { city: 'Singapore', state: null, country: 'Singapore', code: 'SG', lat: 1.3521, lng: 103.8198, currency: 'SGD' },
  { city: 'Sydney', state: 'NSW', country: 'Australia', code: 'AU', lat: -33.8688, lng: 151.2093, currency: 'AUD' },
  { city: 'Tokyo', state: null, country: 'Japan', code: 'JP', lat: 35.6762, lng: 139.6503, currency: 'JPY' },
];

/** Rough yearly base salary by level index, in USD; other currencies scale by FX. */
export const BASE_SALARY = [70_000, 100_000, 145_000, 185_000, 175_000, 230_000];
export const FX: Readonly<Record<string, number>> = { USD: 1, CAD: 1.35, GBP: 0.8, EUR: 0.92, INR: 83, SGD: 1.35, AUD: 1.5, JPY: 150 };

export const BENEFITS = [
  'Comprehensive medical, dental and vision insurance',
  '401(k) with company match',
  'Flexible working hours',
  'Generous parental leave',
  'Learning and development budget',
  'Home office stipend',
  'Equity in a fast-growing company',
  '25 days of paid vacation',
  'Wellness allowance',
  'Commuter benefits',
  'Annual team offsite',
];
