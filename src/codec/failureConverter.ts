// Loaded by path (client, worker and the workflow bundle): failure messages and stack traces can quote
// candidate data (validation errors echo answers), so with the codec on they travel inside the encrypted payload.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
