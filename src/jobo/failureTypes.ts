/**
 * The named failure types of upstream errors. Pure constants (no zod, no I/O) so workflow code can import
 * them to recognise, for example, an invalid cursor in an ActivityFailure's cause.
 */
export const JoboFailure = {
  BadRequest: 'JoboBadRequest',
  InvalidCursor: 'JoboInvalidCursor',
  Unauthorized: 'JoboUnauthorized',
  Forbidden: 'JoboForbidden',
  NotFound: 'JoboNotFound',
  Conflict: 'JoboConflict',
  PayloadTooLarge: 'JoboPayloadTooLarge',
  InvalidResponse: 'JoboInvalidResponse',
  RateLimited: 'JoboRateLimited',
  Unavailable: 'JoboUnavailable',
  ServerError: 'JoboServerError',
  Network: 'JoboNetworkError',
  Timeout: 'JoboTimeout',
  /** Not the upstream's: our shared rate-limit schedule (the store) could not be read; retryable. */
  LimitUnavailable: 'UpstreamLimitUnavailable',
} as const;
export type JoboFailureType = (typeof JoboFailure)[keyof typeof JoboFailure];

export const NON_RETRYABLE_JOBO_FAILURES: readonly JoboFailureType[] = [
  JoboFailure.BadRequest,
  JoboFailure.InvalidCursor,
  JoboFailure.Unauthorized,
  JoboFailure.Forbidden,
  JoboFailure.NotFound,
  JoboFailure.Conflict,
  JoboFailure.PayloadTooLarge,
  JoboFailure.InvalidResponse,
];
