/**
 * Where the app under test runs in a conformance pass. The same scenarios run once per role, the
 * reference app playing the other side, so an app is checked both as sender and as receiver.
 */
export type Role = 'sender' | 'receiver' | 'both';

export const ROLES: Role[] = ['sender', 'receiver', 'both'];

/** What each role means, for output and reports. */
export const ROLE_TITLES: Record<Role, string> = {
  sender: 'app under test as sender, reference app as receiver',
  receiver: 'app under test as receiver, reference app as sender',
  both: 'app under test on every phone',
};

/** Tags a scenario carries when it only makes sense with the app under test in one role. */
export const ROLE_EXCLUDES: Record<Role, string | undefined> = {
  sender: '@receiver-only',
  receiver: '@sender-only',
  both: undefined,
};

export function parseRole(text: string | undefined): Role {
  const role = (text ?? 'both').trim() || 'both';
  if (!ROLES.includes(role as Role)) throw new Error(`Role "${role}" is not one of: ${ROLES.join(', ')}`);
  return role as Role;
}
