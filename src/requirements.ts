/**
 * The requirement catalog: what a credential app must do, each with an ID, a level and the
 * sentence of its source. Scenarios name the requirements they check with `@req=<ID>` tags;
 * `npm run requirements` prints which scenario checks which requirement and fails when a MUST
 * is checked by none. docs/requirements.md is generated from this file.
 *
 * Sources (see shared/TIGRESS-NOTES.md of the design brief):
 *   REQ  draft-ietf-tigress-requirements (dimmyvi/tigress-requirements)
 *   HTTP draft-vinokurov-tigress-http (dimmyvi/tigress)
 *   SCT  draft-secure-credential-transfer (dimmyvi/secure-credential-transfer)
 *   SIG  the Signal design note (signal-1-pager)
 */

export type Level = 'MUST' | 'SHOULD';

export interface Source {
  doc: 'REQ' | 'HTTP' | 'SCT' | 'SIG';
  /** Where in the document. */
  section: string;
  /** The source's own words, short. */
  quote: string;
}

export interface Requirement {
  id: string;
  level: Level;
  /** The requirement as this suite checks it, for a credential app over Signal. */
  text: string;
  sources: Source[];
  /** Why the level or the reading differs from the source, where it does. */
  note?: string;
}

export const DOCUMENTS: Record<Source['doc'], string> = {
  REQ: 'draft-ietf-tigress-requirements',
  HTTP: 'draft-vinokurov-tigress-http',
  SCT: 'draft-secure-credential-transfer',
  SIG: 'Signal design note (signal-1-pager)',
};

export const REQUIREMENTS: Requirement[] = [
  {
    id: 'R-STATELESS-1',
    level: 'MUST',
    text: 'In the stateless flow the receiver provisions the credential from the invitation\'s provisioning information alone, and tells the sender the outcome.',
    sources: [
      { doc: 'SIG', section: 'Secure Credential Transfer with Signal Protocol', quote: 'For stateless sharing, the destination credential application will take that provisioning information and provision the credential.' },
      { doc: 'SCT', section: 'Stateless workflow', quote: 'Once the Receiver device has successfully provisioned credentials, it deletes the mailbox' },
    ],
    note: 'Over Signal there is no mailbox to delete: TransferComplete tells the sender instead.',
  },
  {
    id: 'R-STATEFUL-1',
    level: 'MUST',
    text: 'In the stateful flow the receiver sends the sender its newly generated public key (KeySigningRequest) and provisions only from the final package the sender sends back (KeyImportRequest).',
    sources: [
      { doc: 'SIG', section: 'Secure Credential Transfer with Signal Protocol', quote: 'the receiving credential application will send data to the sender’s device and the sender will send a final package back to the receiver' },
      { doc: 'REQ', section: 'Requirements (Req-RoundTrips)', quote: 'Solution shall allow for multiple data exchanges between Sender and Receiver in the process of credential transfer.' },
    ],
  },
  {
    id: 'R-STATEFUL-2',
    level: 'MUST',
    text: 'The final package is the sender\'s signature over the receiver\'s key; the receiver provisions it only when it is bound to the key the receiver generated for this transfer.',
    sources: [
      { doc: 'SCT', section: 'Stateful workflow', quote: 'Sender device generates a digital signature over the Receiver’s Transaction Information' },
      { doc: 'REQ', section: 'Assumptions', quote: 'Then Receiver sends a signing request to Sender. Sender\'s signature completes the flow and Receiver gets a signed credential that will be functional.' },
    ],
  },
  {
    id: 'R-STATEFUL-3',
    level: 'MUST',
    text: 'The receiver provisions a final package only when it comes from the inviting sender\'s account and its signature verifies with the key the invitation named; anything else is refused or ignored.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-ConnectionIntegrity)', quote: 'no third party shall be allowed to interfere between Sender and Receiver. The solution shall provide integrity to the connection between Sender and Receiver for the duration of the transfer.' },
    ],
  },
  {
    id: 'R-ONCE-1',
    level: 'MUST',
    text: 'A share is provisioned at most once, however often its messages arrive.',
    sources: [
      { doc: 'HTTP', section: 'Security Considerations, Invitation Channel Security', quote: 'Verticals SHALL ensure that the Provisioning Information of a share can only be redeemed exactly once.' },
      { doc: 'REQ', section: 'General considerations', quote: 'A single token of Provisioning Information shall be used for a single transfer of Digital Credential.' },
    ],
  },
  {
    id: 'R-IDEM-1',
    level: 'MUST',
    text: 'A repeated message (the same message id, or a retry of the same request) is not acted on twice: the sender answers a repeated signing request with the same final package.',
    sources: [
      { doc: 'HTTP', section: 'HTTP Headers, Mailbox-Request-ID', quote: 'If response is not received, caller may retry sending the request with the same value of "Mailbox-Request-ID".' },
    ],
    note: 'The draft asks the relay to drop duplicates (SHOULD). Over Signal only the apps can, and retries and redeliveries do happen: MUST.',
  },
  {
    id: 'R-RETRY-1',
    level: 'MUST',
    text: 'A send that fails for a passing reason (5xx, a dropped connection, a lost answer, a 429) is tried again, unchanged (same message id): at least 3 and at most 20 attempts in all, the first included; at least 500 ms and at most 5 minutes between two attempts, growing (SHOULD: exponential backoff); after a 429 never sooner than its Retry-After, which wins over the 5-minute maximum. After the last attempt the share is reported failed (send-failed). A receiver still waiting for its final package asks again for it (same key, new message id), the first time 1 minute to 2 hours after its first request, then at least 1 minute apart, until the expiration.',
    sources: [
      { doc: 'HTTP', section: 'HTTP Headers, Mailbox-Request-ID', quote: 'If response is not received, caller may retry sending the request with the same value of "Mailbox-Request-ID".' },
      { doc: 'REQ', section: 'General considerations', quote: 'Implementor should consider performance factors such as battery power and network performance' },
    ],
    note: 'Retry-After is Signal-Server\'s: its 429 answers carry it, and a client that comes back sooner is refused again. The sources give no numbers; the bounds are this protocol\'s (docs/protocol.md, "Retries" and R17), and within them each app chooses its own.',
  },
  {
    id: 'R-EXPIRY-1',
    level: 'MUST',
    text: 'Every invitation carries an expiration; once it has passed the share is refused and reported as expired, at whichever leg it is.',
    sources: [
      { doc: 'HTTP', section: 'Sharing Flow With API calls', quote: 'A mailbox has limited lifetime configured with mandatory "expiration" parameter in mailboxConfiguration. When expired, the mailbox SHALL be deleted' },
    ],
  },
  {
    id: 'R-CANCEL-1',
    level: 'MUST',
    text: 'The sender can cancel a share at any time before it is provisioned; the receiver then provisions nothing and reports the share cancelled.',
    sources: [
      { doc: 'REQ', section: 'Assumptions', quote: 'the process of credential transfer can be stopped at any time before the credential is provisioned to the receiver device by either Sender or receiver device' },
      { doc: 'SCT', section: 'Stateful workflow', quote: 'Deletion of the mailbox on Relay server stops any on-going credential transfer process.' },
    ],
  },
  {
    id: 'R-ORDER-1',
    level: 'MUST',
    text: 'Messages need not alternate: the same side may send several in a row (an invitation then a cancel), and the receiver handles them in any order they arrive.',
    sources: [
      { doc: 'HTTP', section: 'Relay Server Design Requirements', quote: 'Same party SHALL be allowed to send back to back messages. E.g. a cancel message may be sent by same party that sent the previous message.' },
    ],
  },
  {
    id: 'R-CONNECT-1',
    level: 'MUST',
    text: 'Sender and receiver need not be online at the same time: each leg waits for the other phone.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-Connectivity)', quote: 'Sender and Receiver shall not need to be online at the same time.' },
    ],
  },
  {
    id: 'R-CONF-1',
    level: 'MUST',
    text: 'The server in between never sees the credential in the clear.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-Opaque)', quote: 'message content between Sender and Receiver must be opaque to an intermediary' },
    ],
  },
  {
    id: 'R-COMPAT-1',
    level: 'MUST',
    text: 'Fields a receiver does not know are ignored, not refused (forward compatibility).',
    sources: [
      { doc: 'HTTP', section: 'Provisioning Information Structure', quote: 'Formats are free to define new top level keys, so clients shouldn\'t be surprised if a message of an unexpected format has specialized top level keys.' },
    ],
  },
  {
    id: 'R-VALID-1',
    level: 'MUST',
    text: 'A message that does not match its schema provisions nothing; a malformed invitation is answered as malformed.',
    sources: [
      { doc: 'HTTP', section: 'Clients of Relay Server, Confidentiality & Integrity', quote: 'Clients SHALL check cryptographic checksum of the content to verify integrity of data.' },
    ],
    note: 'Signal checks the bytes; the apps must still check what the bytes say.',
  },
  {
    id: 'R-ACCOUNT-1',
    level: 'MUST',
    text: 'Both sides need a Signal account: when the recipient has none, the sender\'s app reports "not on Signal" and sends nothing.',
    sources: [
      { doc: 'SIG', section: 'Secure Credential Transfer with Signal Protocol', quote: 'both sender and receiver have to have accounts with Signal App to complete the communication' },
    ],
    note: 'No draft says what an app does then; this catalog does: a clear outcome, nothing sent.',
  },
  {
    id: 'R-ACCOUNT-2',
    level: 'MUST',
    text: 'When the sender\'s own Signal account is not registered, its app reports that and sends nothing.',
    sources: [
      { doc: 'SIG', section: 'Secure Credential Transfer with Signal Protocol', quote: 'both sender and receiver have to have accounts with Signal App to complete the communication' },
    ],
  },
  {
    id: 'R-ACCOUNT-3',
    level: 'MUST',
    text: 'When the receiver\'s account disappears mid-transfer, the sender reports the share failed, nothing is provisioned, and nothing queued for the old account reaches anyone.',
    sources: [
      { doc: 'HTTP', section: 'Introduction', quote: 'The Provisioning Information exchange must be limited to Initiator device and the first Recipient device to claim the information.' },
    ],
  },
  {
    id: 'R-IDENTITY-1',
    level: 'MUST',
    text: 'Nothing of a transfer goes to a receiver whose identity key changed until the sender\'s user confirms the new identity; after that the transfer completes.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-ConnectionIntegrity)', quote: 'The solution shall provide integrity to the connection between Sender and Receiver for the duration of the transfer.' },
      { doc: 'HTTP', section: 'Overall System, Initiator shares with the wrong Recipient', quote: 'Verticals allow Initiator to cancel in-flight shares and delete completed shares.' },
    ],
    note: 'A new identity key may be the receiver\'s new phone, or someone else: only a person can tell.',
  },
  {
    id: 'R-DEVICE-1',
    level: 'MUST',
    text: 'Of several devices of the receiving account, exactly one gets the credential: the first to answer is bound, the others learn the share was taken.',
    sources: [
      { doc: 'HTTP', section: 'Security Considerations, Confidentiality & Integrity', quote: 'Relay Server SHALL use Device Claim to bind Initiator and exactly one Recipient device to a mailbox.' },
    ],
    note: 'Over Signal every device of the account receives every message, so the sender binds the share (stateful flow: to the device whose signing request came first). A stateless invitation reaches all devices; binding one needs the stateful flow.',
  },
  {
    id: 'R-DEVICE-2',
    level: 'MUST',
    text: 'Device-list changes of an account (a linked or re-registered device: 409, 410) are handled below the app and do not disturb a transfer.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-Connectivity)', quote: 'Sender and Receiver shall be allowed to be online at different times.' },
    ],
    note: 'This is the Signal layer\'s duty (the virtual devices do it); the scenarios check the apps are not disturbed.',
  },
  {
    id: 'R-THIRD-1',
    level: 'MUST',
    text: 'Messages about a transfer from any account other than its two parties (a forged final package, a forged cancel, a copied invitation) are ignored.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-ConnectionIntegrity)', quote: 'no third party shall be allowed to interfere between Sender and Receiver' },
    ],
  },
  {
    id: 'R-REPLAY-1',
    level: 'MUST',
    text: 'An invitation replayed after its share completed provisions nothing more.',
    sources: [
      { doc: 'REQ', section: 'General considerations', quote: 'It shall not be redeemable for multiple additional transfer attempts.' },
    ],
  },
  {
    id: 'R-INTEGRITY-1',
    level: 'MUST',
    text: 'A message changed on the way is refused before any app acts on it.',
    sources: [
      { doc: 'REQ', section: 'Requirements (Req-Security)', quote: 'confidentiality, integrity and availability of Provisioning Information in transit' },
    ],
  },
  {
    id: 'R-FORMAT-1',
    level: 'SHOULD',
    text: 'A receiver that knows a credential format provisions it, whichever platform sent it.',
    sources: [
      { doc: 'REQ', section: 'Assumptions', quote: 'if the receiver device can recognize the data format of the received Provisioning Information, it should be able to provision the new credential to the Digital Wallet' },
    ],
  },
];

export function requirement(id: string): Requirement | undefined {
  return REQUIREMENTS.find((r) => r.id === id);
}

/** The requirement ids that tags name (`@req=R-ONCE-1`), in tag order, each once. */
export function requirementIds(tags: readonly string[]): string[] {
  return [...new Set(tags.flatMap((t) => /^@req=(.+)$/.exec(t)?.[1] ?? []))];
}
