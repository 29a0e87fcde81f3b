import fc from 'fast-check';

/**
 * Generated tests draw a new seed each run, which is how they find new cases on a developer's
 * machine. KEYTRAY_FC_SEED pins it: CI sets one so that a landing is judged on the same cases every
 * time, and a failure's printed seed replays it (`KEYTRAY_FC_SEED=<seed> npm test`).
 */
export const FC_SEED = process.env.KEYTRAY_FC_SEED ? Number(process.env.KEYTRAY_FC_SEED) : undefined;
if (FC_SEED !== undefined) fc.configureGlobal({ seed: FC_SEED });
