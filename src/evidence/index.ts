/**
 * The evidence rules: what the steps assert about what an app did, each grounded in what the
 * harness itself observed (the devices' plaintexts and the trace the devices and the server
 * wrote), with the app's report checked against it. A report alone never passes a step.
 *
 * - provisioning.ts: "provisions exactly once", "has provisioned no ...", "has provisioned nothing",
 *   "exactly one of X's devices provisions ...";
 * - states.ts: "reports the share as <state>", "... as failed because ...", "refuses ... as ...";
 * - traffic.ts: "the server holds ...'s invitation ...", send attempts for the retry steps;
 * - records.ts: reading the harness's records of one phone.
 */
export { accountsOf, PhoneRecords, type ShareFacts } from './records.ts';
export { exactlyOneDeviceProvisions, provisionedExactlyOnce, provisionedNone, provisionedNothing, provisionedTraffic } from './provisioning.ts';
export { missingEvidence, neverReportedState, reportedFailure, reportedState, roleIn } from './states.ts';
export { sendAttempts, serverHoldsInvitation } from './traffic.ts';
