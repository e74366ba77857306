/**
 * The inbox page, server-rendered: plain HTML forms that work without JavaScript (a few lines of script
 * only keep a form from being sent twice and ask before a reject). Everything shown is escaped; links are
 * only ever http(s). Each question field gets the input its type calls for:
 *   text/email/phone → text/email/tel input; textarea → textarea; date → date input; number → number input;
 *   select → radio buttons (up to 6 options) or a select; multi_select → checkboxes; boolean → a checkbox
 *   (with a hidden "false", so unticked is an answer); file → "use the profile's stored resume" (the page
 *   sends no uploads: inline files go through the API).
 */
import type { FormField } from '../jobo/schemas';
import { answerInput, PROFILE_RESUME, rememberInput, type FormValues, type InboxItem } from './input';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
/** A value as text: scalars as they are, anything else as JSON (never "[object Object]"). */
const textOf = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
export const esc = (v: unknown): string => textOf(v).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);

/** A URL to link to, or null: only absolute http(s) (a `javascript:` URL is text, never a link). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export interface CampaignProgress {
  campaignId: string;
  status: string;
  /** The campaign query's stats: every number shown, so new counters (waitingForPerson) appear as they land. */
  stats: Record<string, unknown>;
}

/** A refused form: the message, each field's problem, and what the person had typed (shown again). */
export interface FormError {
  message: string;
  fields: Map<string, string>;
  values: FormValues | null;
}

export interface InboxView {
  userId: string;
  csrf: string;
  nonce: string;
  items: InboxItem[];
  nextCursor: string | null;
  campaignId: string | null;
  campaigns: CampaignProgress[];
  /** Errors by item id. */
  errors: Map<string, FormError>;
  notice: string | null;
  /** A problem with the page itself (a bad cursor). */
  pageError: string | null;
}

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1d232a; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; border-bottom: 1px solid #ccd; }
  section.task { border: 1px solid #ccd; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
  section.task h3 { margin: .2rem 0; } .meta { color: #556; font-size: .9em; }
  .field { margin: .6rem 0; } .field > label.name { display: block; font-weight: 600; }
  .why { color: #556; font-size: .85em; } .error, .field-error { color: #b00020; font-weight: 600; }
  .notice { background: #e8f5e9; padding: .5rem .75rem; border-radius: 4px; }
  textarea, input[type=text], input[type=email], input[type=tel], input[type=number], input[type=date], select { width: 100%; max-width: 36rem; box-sizing: border-box; }
  .campaigns dl { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; }
  .kind { text-transform: uppercase; font-size: .75em; letter-spacing: .05em; background: #eef; padding: .1rem .4rem; border-radius: 3px; }
  button { margin-right: .5rem; }`;

// Progressive enhancement only: without it every form still works.
const SCRIPT = `
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f.dataset.confirm && !window.confirm(f.dataset.confirm)) { e.preventDefault(); return; }
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = '1';
    Array.prototype.forEach.call(f.querySelectorAll('button'), function (b) { b.setAttribute('aria-busy', 'true'); });
  });`;

export function layout(title: string, nonce: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style nonce="${esc(nonce)}">${STYLE}</style></head>
<body>${body}<script nonce="${esc(nonce)}">${SCRIPT}</script></body></html>`;
}

const csrfInput = (csrf: string) => `<input type="hidden" name="_csrf" value="${esc(csrf)}">`;

export function signInPage(v: { csrf: string; nonce: string; error: string | null }): string {
  return layout(
    'applyflow inbox: sign in',
    v.nonce,
    `<header><h1>applyflow inbox</h1></header>
<main><h2>Sign in</h2>
${v.error ? `<p class="error" role="alert">${esc(v.error)}</p>` : ''}
<form method="post" action="/inbox/sign-in">${csrfInput(v.csrf)}
<div class="field"><label class="name" for="apiKey">Your API key</label>
<input type="password" id="apiKey" name="apiKey" autocomplete="current-password" required></div>
<button type="submit">Sign in</button></form>
<p class="meta">The key stays on the server, behind a session cookie that ends when you sign out.</p></main>`,
  );
}

export function inboxPage(v: InboxView): string {
  const questions = v.items.filter((i) => i.kind === 'question');
  const reviews = v.items.filter((i) => i.kind === 'review');
  const walls = v.items.filter((i) => i.kind === 'needs_person');
  const filter = v.campaignId ? `?campaignId=${encodeURIComponent(v.campaignId)}` : '';
  const more = v.nextCursor
    ? `<p><a href="/inbox?${v.campaignId ? `campaignId=${encodeURIComponent(v.campaignId)}&amp;` : ''}cursor=${encodeURIComponent(v.nextCursor)}">More</a></p>`
    : '';
  return layout(
    'applyflow inbox',
    v.nonce,
    `<header><h1>applyflow inbox</h1>
<form method="post" action="/inbox/sign-out">${csrfInput(v.csrf)}<span class="meta">Signed in as ${esc(v.userId)}</span> <button type="submit">Sign out</button></form></header>
<main>
${v.notice ? `<p class="notice" role="status">${esc(v.notice)}</p>` : ''}
${v.pageError ? `<p class="error" role="alert">${esc(v.pageError)}</p>` : ''}
${v.campaignId ? `<p class="meta">Campaign ${esc(v.campaignId)} only. <a href="/inbox">All campaigns</a></p>` : ''}
${campaignsSection(v.campaigns)}
<h2>Questions (${questions.length})</h2>
${questions.map((i) => questionForm(i, v)).join('\n') || '<p class="meta">No question waits for you.</p>'}
<h2>Reviews (${reviews.length})</h2>
${reviews.map((i) => reviewForm(i, v)).join('\n') || '<p class="meta">No review waits for you.</p>'}
<h2>Needs a person (${walls.length})</h2>
${walls.map((i) => wallItem(i)).join('\n') || '<p class="meta">Nothing is stuck behind a captcha or login.</p>'}
${more}
<p class="meta"><a href="/inbox${filter}">Refresh</a></p>
</main>`,
  );
}

function campaignsSection(campaigns: CampaignProgress[]): string {
  if (!campaigns.length) return '';
  return `<section class="campaigns"><h2>Campaign progress</h2>${campaigns
    .map(
      (
        c,
      ) => `<h3><a href="/inbox?campaignId=${encodeURIComponent(c.campaignId)}">${esc(c.campaignId)}</a> <span class="meta">${esc(c.status)}</span></h3>
<dl>${Object.entries(c.stats)
        .filter(([, n]) => typeof n === 'number')
        .map(([k, n]) => `<dt>${esc(humanize(k))}</dt><dd data-stat="${esc(k)}">${esc(n)}</dd>`)
        .join('')}</dl>`,
    )
    .join('\n')}</section>`;
}

const humanize = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function heading(i: InboxItem): string {
  const job = [i.job_title, i.company_name].filter(Boolean).join(' at ') || i.job_url;
  const href = safeHref(i.job_url);
  return `<h3><span class="kind">${esc(i.kind.replace('_', ' '))}</span> ${esc(job)}</h3>
<p class="meta">${href ? `<a href="${esc(href)}" rel="noopener noreferrer" target="_blank">${esc(i.job_url)}</a>` : esc(i.job_url)}
${i.campaign_id ? ` · campaign <a href="/inbox?campaignId=${encodeURIComponent(i.campaign_id)}">${esc(i.campaign_id)}</a>` : ''}
${i.deadline ? ` · waits until <time datetime="${esc(i.deadline)}">${esc(i.deadline)}</time>` : ''}</p>`;
}

function formError(e: FormError | undefined): string {
  return e ? `<p class="error" role="alert">${esc(e.message)}</p>` : '';
}

/** The problem the validator named for this field (its name, or `remember.<name>`), shown beside it. */
function fieldError(e: FormError | undefined, name: string): string {
  const msg = e?.fields.get(name) ?? e?.fields.get(`answers.${name}`) ?? e?.fields.get(`remember.${name}`);
  return msg ? `<p class="field-error" role="alert" id="${esc(errId(name))}">${esc(msg)}</p>` : '';
}
const errId = (name: string) => `err-${Buffer.from(name).toString('hex')}`;

function questionForm(i: InboxItem, v: InboxView): string {
  const e = v.errors.get(i.id);
  const fields = i.fields
    .map((f) => {
      const typed = e?.values?.get(answerInput(f.name)) ?? null;
      const remembered = e?.values?.has(rememberInput(f.name)) ?? false;
      return `<div class="field">${fieldInput(f, typed, undefined)}
<p class="why">${esc(f.reason)}${f.rule ? ` · rule: ${esc(f.rule)}` : ''}</p>
<label><input type="checkbox" name="${esc(rememberInput(f.name))}" value="1"${remembered ? ' checked' : ''}> Remember for this profile</label>
${fieldError(e, f.name)}</div>`;
    })
    .join('\n');
  return `<section class="task" data-id="${esc(i.id)}" data-kind="question">${heading(i)}${formError(e)}
<form method="post" action="/inbox/questions/${encodeURIComponent(i.id)}/answer">${csrfInput(v.csrf)}
${fields}
<button type="submit">Send answers</button></form></section>`;
}

function reviewForm(i: InboxItem, v: InboxView): string {
  const e = v.errors.get(i.id);
  const fields = i.fields
    .map((f) => {
      const typed = e?.values?.get(answerInput(f.name)) ?? null;
      // Fields of pages already sent cannot change any more: shown, not editable.
      const editable = f.page === i.page && f.type !== 'file';
      return `<div class="field">${editable ? fieldInput(f, typed, i.answers[f.name]) : readOnly(f, i.answers[f.name])}
<p class="why">${esc(f.reason)}</p>${fieldError(e, f.name)}</div>`;
    })
    .join('\n');
  return `<section class="task" data-id="${esc(i.id)}" data-kind="review">${heading(i)}${formError(e)}
<form method="post" action="/inbox/reviews/${encodeURIComponent(i.id)}/approve">${csrfInput(v.csrf)}
${fields}
<button type="submit">Approve and submit</button></form>
<form method="post" action="/inbox/reviews/${encodeURIComponent(i.id)}/reject" data-confirm="Reject this application? Nothing will be submitted.">${csrfInput(v.csrf)}
<div class="field"><label class="name" for="reason-${esc(i.id)}">Reason (optional)</label>
<input type="text" id="reason-${esc(i.id)}" name="reason" maxlength="500">${fieldError(e, 'reason')}</div>
<button type="submit">Reject</button></form></section>`;
}

function wallItem(i: InboxItem): string {
  const href = safeHref(i.live_url);
  return `<section class="task" data-id="${esc(i.id)}" data-kind="needs_person">${heading(i)}
<p>${esc(i.error ?? 'The upstream asks for a person (captcha or login).')}</p>
<p>${
    href
      ? `Finish it by hand: <a href="${esc(href)}" rel="noopener noreferrer" target="_blank">${esc(i.live_url)}</a>`
      : i.live_url
        ? `Finish it by hand at: ${esc(i.live_url)}`
        : 'The live page is no longer known; open the job link above.'
  }</p></section>`;
}

function readOnly(f: FormField, value: unknown): string {
  const shown =
    value === undefined
      ? '(not answered)'
      : typeof value === 'object' && value !== null && !Array.isArray(value)
        ? 'kind' in value && value.kind === 'profile_resume'
          ? "the profile's resume"
          : `file ${String((value as { file_name?: string }).file_name ?? '')}`
        : Array.isArray(value)
          ? value.join(', ')
          : textOf(value);
  return `<label class="name">${esc(f.label || f.name)}</label><p>${esc(shown)}</p>`;
}

/**
 * The input for one field. `typed`: what the person sent last time (a refused form shown again), else
 * `current`: the filled answer (a review).
 */
export function fieldInput(f: FormField, typed: string[] | null, current: unknown): string {
  const name = esc(answerInput(f.name));
  const id = `f-${Buffer.from(f.name).toString('hex')}`;
  const label = `<label class="name" for="${id}">${esc(f.label || f.name)}${f.required ? ' *' : ''}</label>`;
  const desc = f.description ? `<p class="why">${esc(f.description)}</p>` : '';
  const req = f.required ? ' required' : '';
  const first = typed ? typed[typed.length - 1] : textOf(current);
  const chosen = new Set(
    typed ?? (Array.isArray(current) ? current.map(textOf) : current === undefined || current === null ? [] : [textOf(current)]),
  );
  const options = f.options ?? [];
  switch (f.type) {
    case 'textarea':
      return `${label}${desc}<textarea id="${id}" name="${name}" rows="4"${f.max_length ? ` maxlength="${f.max_length}"` : ''}${req}>${esc(first)}</textarea>`;
    case 'select':
      if (options.length && options.length <= 6) {
        return `<fieldset><legend class="name">${esc(f.label || f.name)}${f.required ? ' *' : ''}</legend>${desc}${options
          .map(
            (o, n) =>
              `<label><input type="radio" id="${id}-${n}" name="${name}" value="${esc(o.value)}"${chosen.has(o.value) ? ' checked' : ''}${req}> ${esc(o.label)}</label>`,
          )
          .join(' ')}</fieldset>`;
      }
      return `${label}${desc}<select id="${id}" name="${name}"${req}><option value="">Choose…</option>${options
        .map((o) => `<option value="${esc(o.value)}"${chosen.has(o.value) ? ' selected' : ''}>${esc(o.label)}</option>`)
        .join('')}</select>`;
    case 'multi_select':
      return `<fieldset><legend class="name">${esc(f.label || f.name)}${f.required ? ' *' : ''}</legend>${desc}${options
        .map(
          (o, n) =>
            `<label><input type="checkbox" id="${id}-${n}" name="${name}" value="${esc(o.value)}"${chosen.has(o.value) ? ' checked' : ''}> ${esc(o.label)}</label>`,
        )
        .join(' ')}</fieldset>`;
    case 'boolean': {
      const on = typed ? typed.includes('true') : current === true;
      return `<input type="hidden" name="${name}" value="false"><label for="${id}" class="name"><input type="checkbox" id="${id}" name="${name}" value="true"${on ? ' checked' : ''}> ${esc(f.label || f.name)}${f.required ? ' *' : ''}</label>${desc}`;
    }
    case 'file': {
      const on = typed ? typed.includes(PROFILE_RESUME) : false;
      return `${label}${desc}<label><input type="checkbox" id="${id}" name="${name}" value="${PROFILE_RESUME}"${on ? ' checked' : ''}> Use the profile's stored resume</label>
<p class="why">Other files: answer through the API (POST /api/v1/questions/{id}/answer with an upload).</p>`;
    }
    default: {
      const type =
        f.type === 'email' ? 'email' : f.type === 'phone' ? 'tel' : f.type === 'date' ? 'date' : f.type === 'number' ? 'number' : 'text';
      return `${label}${desc}<input type="${type}" id="${id}" name="${name}" value="${esc(first)}"${f.type === 'number' ? ' step="any"' : ''}${f.max_length ? ` maxlength="${f.max_length}"` : ''}${req}>`;
    }
  }
}
