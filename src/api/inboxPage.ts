/**
 * /inbox: the person's page (server-rendered HTML, see src/inbox/page.ts). It does not take the API's
 * bearer header: a sign-in form takes the user's API key and keeps it server-side (src/inbox/sessions.ts)
 * behind an HttpOnly, SameSite=Strict cookie (Secure over https). Every form carries the session's CSRF
 * token; a POST without the right one is a 403 and changes nothing. The key is checked again on every
 * request, so revoking it ends the session. Answers and verdicts go through the same Inbox as the JSON
 * routes (workflow updates with validators); a refusal is shown beside the field it names.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getCampaign } from '../campaign/client';
import { Inbox, TaskNotFoundError, TaskNotPendingError, TaskRefusedError } from '../inbox/client';
import { formValues, questionFromForm, reviewChangesFromForm, type FormValues, type InboxItem } from '../inbox/input';
import { inboxPage, signInPage, type CampaignProgress, type FormError } from '../inbox/page';
import { csrfMatches, InboxSessions, type InboxSession } from '../inbox/sessions';
import { InvalidCursorError } from '../store/ledger';
import type { ApiUser, AuthFailures } from './auth';
import type { ApiContext, ZodApp } from './context';
import type { ApiError } from './errors';
import { inboxOf } from './inbox';

export const INBOX_COOKIE = 'applyflow_inbox';
const PAGE_LIMIT = 50;
const CAMPAIGNS_SHOWN = 10;

export interface InboxPageDeps {
  /** The API's own key check (operators and user keys); throws the 401/403 ApiError. */
  authenticate(apiKey: string): Promise<ApiUser>;
  /** The API's failed-authentication limit per client address: sign-in failures count there too. */
  failures: AuthFailures;
  sessions?: InboxSessions;
}

/** Fixed notices after a redirect (never text from the query string). */
const NOTICES: Record<string, string> = {
  answered: 'Answers sent: the application goes on.',
  approved: 'Approved: the application submits.',
  rejected: 'Rejected: nothing is submitted.',
  gone: 'That task is no longer waiting (answered or decided already, or closed).',
};

function cookieOf(req: FastifyRequest): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === INBOX_COOKIE) return v.join('=');
  }
  return undefined;
}

function setCookie(req: FastifyRequest, reply: FastifyReply, id: string | null): void {
  const attrs = ['Path=/inbox', 'HttpOnly', 'SameSite=Strict', ...(req.protocol === 'https' ? ['Secure'] : [])];
  reply.header('set-cookie', id ? `${INBOX_COOKIE}=${id}; ${attrs.join('; ')}` : `${INBOX_COOKIE}=; Max-Age=0; ${attrs.join('; ')}`);
}

function html(reply: FastifyReply, status: number, nonce: string, body: string): FastifyReply {
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    })
    .send(body);
}

const forbidden = (reply: FastifyReply, nonce: string) =>
  html(
    reply,
    403,
    nonce,
    `<!doctype html><title>Forbidden</title><p>This form is out of date or was not sent from the inbox. <a href="/inbox">Open the inbox again</a>.</p>`,
  );

export function registerInboxPage(app: ZodApp, ctx: ApiContext, deps: InboxPageDeps): void {
  const sessions = deps.sessions ?? new InboxSessions();
  let inbox: Inbox | undefined;
  const get = () => (inbox ??= inboxOf(ctx));

  /** The signed-in session's user, re-checked with its key; null (and the session ended) when the key no longer works. */
  async function userOf(id: string | undefined, s: InboxSession | null): Promise<ApiUser | null> {
    if (!s?.apiKey) return null;
    try {
      return await deps.authenticate(s.apiKey);
    } catch {
      if (id) sessions.end(id);
      return null;
    }
  }

  async function campaignsOf(userId: string, items: InboxItem[], filter: string | null): Promise<CampaignProgress[]> {
    const ids = [...new Set([...(filter ? [filter] : []), ...items.map((i) => i.campaign_id).filter((c): c is string => !!c)])].slice(
      0,
      CAMPAIGNS_SHOWN,
    );
    const views = await Promise.all(ids.map((id) => getCampaign(ctx.client, id).catch(() => null)));
    // Only the caller's campaigns (the same rule as the campaign routes).
    return views.flatMap((v, n) => (v && v.userId === userId ? [{ campaignId: ids[n], status: v.status, stats: { ...v.stats } }] : []));
  }

  async function renderInbox(
    reply: FastifyReply,
    status: number,
    nonce: string,
    s: InboxSession,
    user: ApiUser,
    q: { campaignId?: string; cursor?: string; done?: string },
    errors = new Map<string, FormError>(),
  ): Promise<FastifyReply> {
    let items: InboxItem[] = [];
    let nextCursor: string | null = null;
    let pageError: string | null = null;
    const campaignId = typeof q.campaignId === 'string' && q.campaignId ? q.campaignId.slice(0, 200) : null;
    try {
      ({ items, nextCursor } = await get().list(user.userId, {
        limit: PAGE_LIMIT,
        ...(campaignId ? { campaignId } : {}),
        ...(typeof q.cursor === 'string' && q.cursor ? { cursor: q.cursor } : {}),
      }));
    } catch (err) {
      if (!(err instanceof InvalidCursorError)) throw err;
      pageError = 'That page link is not valid any more; showing the first page.';
      ({ items, nextCursor } = await get().list(user.userId, { limit: PAGE_LIMIT, ...(campaignId ? { campaignId } : {}) }));
    }
    const campaigns = await campaignsOf(user.userId, items, campaignId);
    const notice = (q.done && NOTICES[q.done]) || null;
    return html(
      reply,
      status,
      nonce,
      inboxPage({ userId: user.userId, csrf: s.csrf, nonce, items, nextCursor, campaignId, campaigns, errors, notice, pageError }),
    );
  }

  /** A POST from a signed-in page with its CSRF token, or the 403 / sign-in it gets instead. */
  async function signedInPost(
    req: FastifyRequest,
    reply: FastifyReply,
    nonce: string,
  ): Promise<{ s: InboxSession; user: ApiUser; values: FormValues } | null> {
    const id = cookieOf(req);
    const s = sessions.get(id);
    const values = formValues(req.body);
    if (!csrfMatches(s, values.get('_csrf')?.[0])) {
      forbidden(reply, nonce);
      return null;
    }
    const user = await userOf(id, s);
    if (!user) {
      reply.redirect('/inbox', 303);
      return null;
    }
    return { s: s!, user, values };
  }

  /** Runs a decision; a refusal re-renders the page (400) with the problems beside the fields, a vanished task says so. */
  async function decide(
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    act: (inbox: Inbox, user: ApiUser, values: FormValues) => Promise<unknown>,
    done: string,
  ): Promise<FastifyReply> {
    const nonce = randomBytes(16).toString('base64');
    const ok = await signedInPost(req, reply, nonce);
    if (!ok) return reply;
    try {
      await act(get(), ok.user, ok.values);
      return reply.redirect(`/inbox?done=${done}`, 303);
    } catch (err) {
      if (err instanceof TaskRefusedError) {
        const fields = new Map(err.problems.map((p) => [p.field, p.message]));
        const errors = new Map([
          [req.params.id, { message: 'Not sent: please check the fields marked below. Nothing changed.', fields, values: ok.values }],
        ]);
        return renderInbox(reply, 400, nonce, ok.s, ok.user, {}, errors);
      }
      if (err instanceof TaskNotPendingError) return reply.redirect('/inbox?done=gone', 303);
      if (err instanceof TaskNotFoundError) return renderInbox(reply, 404, nonce, ok.s, ok.user, {});
      throw err;
    }
  }

  app.register(async (scope) => {
    // The page's forms are urlencoded (no multipart: uploads go through the JSON API); only this scope parses them.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );

    scope.get('/inbox', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const nonce = randomBytes(16).toString('base64');
      let id = cookieOf(req);
      let s = sessions.get(id);
      const user = await userOf(id, s);
      if (!user || !s) {
        // Not signed in: an anonymous session whose token the sign-in form carries.
        if (!s || s.apiKey) ({ id, session: s } = sessions.start());
        setCookie(req, reply, id!);
        return html(reply, 200, nonce, signInPage({ csrf: s.csrf, nonce, error: null }));
      }
      return renderInbox(reply, 200, nonce, s, user, req.query as Record<string, string>);
    });

    scope.post('/inbox/sign-in', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const nonce = randomBytes(16).toString('base64');
      const id = cookieOf(req);
      const s = sessions.get(id);
      const values = formValues(req.body);
      if (!csrfMatches(s, values.get('_csrf')?.[0])) return forbidden(reply, nonce);
      try {
        deps.failures.check(req.ip);
      } catch (err) {
        return html(reply, 429, nonce, signInPage({ csrf: s!.csrf, nonce, error: (err as ApiError).message }));
      }
      const key = (values.get('apiKey')?.[0] ?? '').trim();
      let user: ApiUser;
      try {
        user = await deps.authenticate(key);
      } catch (err) {
        const status = (err as ApiError).statusCode === 403 ? 403 : 401;
        if (status === 401 && key) deps.failures.failed(req.ip);
        return html(
          reply,
          status,
          nonce,
          signInPage({ csrf: s!.csrf, nonce, error: status === 403 ? (err as ApiError).message : 'That API key is not valid.' }),
        );
      }
      const signedIn = sessions.signIn(id, key, user.userId);
      setCookie(req, reply, signedIn.id);
      return reply.redirect('/inbox', 303);
    });

    scope.post('/inbox/sign-out', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const nonce = randomBytes(16).toString('base64');
      const id = cookieOf(req);
      if (!csrfMatches(sessions.get(id), formValues(req.body).get('_csrf')?.[0])) return forbidden(reply, nonce);
      sessions.end(id!);
      setCookie(req, reply, null);
      return reply.redirect('/inbox', 303);
    });

    scope.post<{ Params: { id: string } }>(
      '/inbox/questions/:id/answer',
      { config: { public: true }, schema: { hide: true } },
      async (req, reply) =>
        decide(
          req,
          reply,
          async (inbox, user, values) => {
            const { task } = await inbox.open(user.userId, req.params.id, 'question');
            const { answers, remember } = questionFromForm(task.fields, values, task.profile_id);
            return inbox.answer(user.userId, req.params.id, { answers, ...(remember.length ? { remember } : {}), page: task.page });
          },
          'answered',
        ),
    );

    scope.post<{ Params: { id: string } }>(
      '/inbox/reviews/:id/approve',
      { config: { public: true }, schema: { hide: true } },
      async (req, reply) =>
        decide(
          req,
          reply,
          async (inbox, user, values) => {
            const { task } = await inbox.open(user.userId, req.params.id, 'review');
            const changed = reviewChangesFromForm(task, values, task.profile_id);
            return inbox.approve(user.userId, req.params.id, Object.keys(changed).length ? { answers: changed } : {});
          },
          'approved',
        ),
    );

    scope.post<{ Params: { id: string } }>(
      '/inbox/reviews/:id/reject',
      { config: { public: true }, schema: { hide: true } },
      async (req, reply) =>
        decide(
          req,
          reply,
          async (inbox, user, values) => {
            const reason = (values.get('reason')?.[0] ?? '').trim();
            return inbox.reject(user.userId, req.params.id, reason ? { reason } : {});
          },
          'rejected',
        ),
    );
  });
}
