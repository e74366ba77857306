/**
 * Profile activities: remembering a person's answers for the profile (when they answer a question with
 * `remember`), so the same question on a later form is answered without asking. The values never return
 * to the workflow: the result names keys only.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { RememberedAnswers } from '../store/rememberedAnswers';
import { parseRememberAnswer, rememberAnswerProblems } from './rememberedAnswers';

export const ProfileFailureType = { InvalidRememberRequest: 'InvalidRememberRequest' } as const;

export interface RememberAnswersRequest {
  profileId: string;
  /** The asked fields' label, type and options with the person's answer. */
  answers: { label: string; type: string; options?: { value: string; label: string }[] | null; value: unknown }[];
}

export interface RememberAnswersResult {
  /** Keys written or already holding the same answer. */
  remembered: { key: string; changed: boolean }[];
  /** Answers that cannot be remembered (a file, a value that is no answer to its type), by index and why. */
  skipped: { index: number; field: string; message: string }[];
}

export interface ProfileActivityDeps {
  rememberedAnswers: () => Promise<RememberedAnswers>;
}

export function createProfileActivities(deps: ProfileActivityDeps) {
  return {
    /**
     * Idempotent upsert of each answer by (profile, normalized label and type): a retry, or the same
     * answer remembered again, changes nothing. One answer that cannot be remembered does not stop the
     * others nor fail the application that asked; it is reported in `skipped`.
     */
    async rememberAnswers(req: RememberAnswersRequest): Promise<RememberAnswersResult> {
      if (typeof req?.profileId !== 'string' || req.profileId.length === 0 || req.profileId.length > 200) {
        throw ApplicationFailure.nonRetryable(
          'rememberAnswers: profileId: required, 1 to 200 characters',
          ProfileFailureType.InvalidRememberRequest,
        );
      }
      if (!Array.isArray(req.answers)) {
        throw ApplicationFailure.nonRetryable(
          'rememberAnswers: answers: expected a list of { label, type, options?, value }',
          ProfileFailureType.InvalidRememberRequest,
        );
      }
      const store = await deps.rememberedAnswers();
      const result: RememberAnswersResult = { remembered: [], skipped: [] };
      for (const [index, raw] of req.answers.entries()) {
        const problems = rememberAnswerProblems(raw, `answers[${index}]`);
        if (problems.length > 0) {
          result.skipped.push(...problems.map((p) => ({ index, ...p })));
          continue;
        }
        const { answer, changed } = await store.remember(req.profileId, parseRememberAnswer(raw));
        result.remembered.push({ key: answer.key, changed });
      }
      if (result.skipped.length > 0) log.warn('answers not remembered', { profileId: req.profileId, skipped: result.skipped });
      return result;
    },
  };
}

export type ProfileActivities = ReturnType<typeof createProfileActivities>;
