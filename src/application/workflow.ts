/**
 * application: one candidate profile applies to one job, automatically, at most once.
 *
 * "At most once" rests on the job itself, never on the upstream honouring Idempotency-Keys (the documents
 * do not say it does; the keys are still sent):
 * - the job key is the canonical apply URL's (src/shared/jobKey.ts), so the workflow id
 *   `application/<profile>/<job key>` started with REJECT_DUPLICATE + USE_EXISTING attaches every start for
 *   the same job, however the caller names it;
 * - before anything goes upstream the run claims the ledger row of (profile, job key); a row owned by
 *   another workflow is attached to (its outcome is reported), a SUCCESS is returned as is;
 * - a page submit whose outcome is not known (lost response, 409/404, worker gone) is never sent again
 *   blindly: the upstream's session state (000) decides, and until it does the application is UNCONFIRMED;
 * - the final submit and its ledger write run to the end even when the application is cancelled, so the
 *   recorded status is what the upstream did.
 *
 * It drives an automated upstream session page by page with the answer engine's answers (computed in an
 * activity, so the profile never enters history). When required fields remain it follows the caller's
 * policy: `skip` fails naming them; `ask` opens a question for a person (answerQuestion, or the interactive
 * session's submitAnswers update / answers signal) until a deadline; `review` asks too, and holds a page
 * that may be the final submit until a person approves (approveReview, with changes) or rejects it
 * (rejectReview: CANCELLED, nothing submitted). A captcha or login wall parks it NEEDS_PERSON with the live
 * URL. The logic is ApplicationRun's (./run.ts) over ApplicationState (./state.ts); this registers handlers.
 */
import { log, setHandler } from '@temporalio/workflow';
import { validateApplicationInput, type ApplicationInput, type ApplicationView } from './input';
import { formatProblems } from '../shared/input';
import { invalidFailure } from '../shared/upstreamSession';
import type { FieldProblem } from '../jobo/schemas';
import { SessionFailure } from '../interactiveSession/messages';
import {
  ApplicationFailureType,
  answerQuestionUpdate,
  answersSignal,
  applicationQuery,
  approveReviewUpdate,
  personTaskQuery,
  rejectReviewUpdate,
  submitAnswersUpdate,
} from './messages';
import { ApplicationRun } from './run';

export type { ApplicationInput, ApplicationView };
export {
  NEVER_TWICE_PATCH,
  USER_LIMITS_PATCH,
  PERSON_TASKS_PATCH,
  NEEDS_PERSON_PATCH,
  REMEMBER_ANSWERS_PATCH,
  DAILY_PACING_PATCH,
  RECONCILE_WINDOW_MS,
} from './run';

/** An update validator's refusal: nothing enters history, the caller learns each field's problem. */
function refuse(problems: FieldProblem[]): void {
  if (problems.length) throw invalidFailure(SessionFailure.InvalidAnswers, 'invalid answers', problems);
}

export async function application(input: ApplicationInput): Promise<ApplicationView> {
  const inputProblems = validateApplicationInput(input);
  if (inputProblems.length) throw invalidFailure(ApplicationFailureType.InvalidInput, 'invalid input', inputProblems);
  const run = new ApplicationRun(input);
  const { state } = run;
  run.announce();

  setHandler(applicationQuery, () => state.view);
  setHandler(personTaskQuery, () => state.task);

  setHandler(
    submitAnswersUpdate,
    async (payload) => {
      await run.answer(payload);
      return state.sessionView();
    },
    { validator: (payload) => refuse(state.answerProblems(payload)) },
  );
  setHandler(
    answerQuestionUpdate,
    async (payload) => {
      await run.answer(payload);
      return state.view;
    },
    { validator: (payload) => refuse(state.questionProblems(payload)) },
  );
  setHandler(
    approveReviewUpdate,
    async (payload) => {
      state.approve(payload);
      await run.decided();
      return state.view;
    },
    { validator: (payload) => refuse(state.reviewProblems(payload)) },
  );
  setHandler(
    rejectReviewUpdate,
    async (payload) => {
      state.reject(payload);
      await run.decided();
      return state.view;
    },
    { validator: (payload) => refuse(state.rejectProblems(payload)) },
  );

  // Signals cannot answer their sender: problems are shown by the query (and the update's SessionView).
  setHandler(answersSignal, (payload) => {
    const problems = state.answerProblems(payload);
    if (problems.length) {
      state.signalProblems = problems;
      log.warn('answers signal not taken', { problems: formatProblems(problems) });
      return;
    }
    state.take(payload);
  });

  await run.execute();
  return state.view;
}
