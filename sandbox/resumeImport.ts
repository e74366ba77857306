/**
 * The sandbox's resume "parser": `Key: value` lines in the file's text. Enough to exercise the import
 * lifecycle (importing → ready | import_failed) with realistic sections, without a PDF library.
 *
 *   Name: Ada Lovelace            Email: ada@example.com        Phone: +1 415 555 0100
 *   LinkedIn / GitHub / Portfolio / Website: https://...
 *   Experience: Senior Engineer at Analytical Engines (2021-03 - 2023-01)    (or "- present")
 *   Education: BSc in Mathematics at University of London (2016 - 2020)
 *   Skills: Go, Kubernetes         Summary: / Memory: free text (become memories)
 */
import { z } from 'zod';
import { Contact, Education, HttpUrl, PROFILE_LIMITS, WorkExperience } from '../src/jobo/schemas';

type Contact = z.infer<typeof Contact>;
type WorkExperience = z.infer<typeof WorkExperience>;
type Education = z.infer<typeof Education>;

export interface ImportedSections {
  contact: Partial<Contact>;
  links: Record<string, string>;
  work_experience: WorkExperience[];
  education: Education[];
  memories: string[];
}

const LINE = /^\s*([A-Za-z][A-Za-z ]{0,24}):\s*(.+?)\s*$/;
const PERIOD = /\s*\((\d{4}(?:-\d{2})?)\s*[-–]\s*(\d{4}(?:-\d{2})?|present|current|now)\)\s*$/i;
const LINK_KEYS: Record<string, string> = { linkedin: 'linkedin', github: 'github', portfolio: 'portfolio', website: 'website' };
const Link = HttpUrl.max(PROFILE_LIMITS.link);

function period(text: string): { rest: string; start: string | null; end: string | null; current: boolean } {
  const m = PERIOD.exec(text);
  if (!m) return { rest: text, start: null, end: null, current: false };
  const current = !/^\d/.test(m[2]);
  return { rest: text.slice(0, m.index), start: m[1], end: current ? null : m[2], current };
}

/** Sections found in the file, or null when nothing usable is in it (empty, binary, unrelated text). */
export function extractResume(bytes: Buffer): ImportedSections | null {
  const text = bytes.toString('utf8');
  const out: ImportedSections = { contact: {}, links: {}, work_experience: [], education: [], memories: [] };
  let found = 0;
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (!m) continue;
    const key = m[1].trim().toLowerCase();
    const value = m[2];
    if (key === 'name') {
      const [first, ...rest] = value.split(/\s+/);
      if (rest.length === 0) continue;
      out.contact.first_name = first;
      out.contact.last_name = rest.join(' ');
    } else if (key === 'email') {
      if (!Contact.shape.email.safeParse(value).success) continue;
      out.contact.email = value;
    } else if (key === 'phone') {
      out.contact.phone = value;
    } else if (LINK_KEYS[key]) {
      if (!Link.safeParse(value).success) continue;
      out.links[LINK_KEYS[key]] = value;
    } else if (key === 'experience') {
      const p = period(value);
      const at = /^(.+?)\s+at\s+(.+)$/i.exec(p.rest);
      const job = WorkExperience.safeParse({
        title: at ? at[1] : p.rest,
        company: at ? at[2] : 'Unknown',
        start_date: p.start,
        end_date: p.end,
        is_current: p.current,
      });
      if (!job.success) continue;
      out.work_experience.push(job.data);
    } else if (key === 'education') {
      const p = period(value);
      const at = /^(.+?)\s+at\s+(.+)$/i.exec(p.rest);
      const degree = at ? /^(.+?)(?:\s+in\s+(.+))?$/i.exec(at[1]) : null;
      const edu = Education.safeParse({
        school: at ? at[2] : p.rest,
        degree: degree?.[1] ?? null,
        field_of_study: degree?.[2] ?? null,
        start_date: p.start,
        end_date: p.end,
      });
      if (!edu.success) continue;
      out.education.push(edu.data);
    } else if (key === 'skills') {
      out.memories.push(`Key skills: ${value}`);
    } else if (key === 'summary' || key === 'memory') {
      out.memories.push(value);
    } else {
      continue;
    }
    found++;
  }
  if (found === 0) return null;
  out.work_experience = out.work_experience.slice(0, PROFILE_LIMITS.workExperience);
  out.education = out.education.slice(0, PROFILE_LIMITS.education);
  out.memories = out.memories.map((m) => m.slice(0, PROFILE_LIMITS.memory)).slice(0, PROFILE_LIMITS.memories);
  return out;
}
