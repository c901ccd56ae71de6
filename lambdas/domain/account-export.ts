import type * as contract from '../../lib/contract/index.ts';
import { MESSAGE_ID_PATTERN, ROOM_NAME_PATTERN } from '../../lib/contract/index.ts';
import { type AccountExportRepository, EXPORT_SECTIONS, type ExportSection } from '../data/account-export.ts';
import { CONVERSATION_ID_PATTERN } from '../data/conversations.ts';
import type { UserRepository } from '../data/users.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { ValidationError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { accountOf, toPublicUser } from './accounts.ts';

export interface AccountExportDeps {
  readonly users: UserRepository;
  readonly exports: AccountExportRepository;
}

/** Where an export page starts: a section, and the sort value in it to start after (none: its beginning). */
export interface ExportPosition {
  readonly section: ExportSection;
  readonly after: string | undefined;
}

/** What the sort value of each section looks like: a cursor holding anything else is refused. */
const SORT_VALUE_PATTERNS: Record<ExportSection, RegExp> = {
  sessions: /^[A-Za-z0-9_-]{22}$/,
  rooms: ROOM_NAME_PATTERN,
  conversations: CONVERSATION_ID_PATTERN,
  // Canonical (lower-case) usernames.
  blocks: /^[a-z0-9_.-]{1,32}$/,
  messages: MESSAGE_ID_PATTERN,
};

const EXPORT_CURSOR = new RegExp(`^(${EXPORT_SECTIONS.join('|')}):(.*)$`, 's');

/** The position an export cursor stands for; the first page's without one. A malformed cursor is a 400. */
export function exportPositionOf(cursor: string | undefined): ExportPosition {
  const value = decodeCursor(cursor, EXPORT_CURSOR);
  if (value === undefined) return { section: EXPORT_SECTIONS[0], after: undefined };
  const [, section, after] = EXPORT_CURSOR.exec(value) as unknown as [string, ExportSection, string];
  if (after !== '' && !SORT_VALUE_PATTERNS[section].test(after)) {
    throw new ValidationError([{ field: 'cursor', problem: 'is not a valid cursor' }]);
  }
  return { section, after: after === '' ? undefined : after };
}

const cursorOf = (position: ExportPosition): string =>
  encodeCursor(`${position.section}:${position.after ?? ''}`);

/**
 * A page of everything stored about the caller: the profile (one GetItem, which also proves the account is
 * still the token's), then up to `limit` items taken from the sections in order from `position`, one Query per
 * section touched (at most five). A page that ends exactly at a section's end points at the next section, so
 * the last page may be empty.
 * @throws UnauthorizedError when the account behind the token no longer exists.
 */
export async function exportAccount(
  deps: AccountExportDeps,
  identity: Identity,
  limit: number,
  position: ExportPosition,
): Promise<contract.AccountExport> {
  const account = await accountOf(deps, identity);
  const page: Omit<contract.AccountExport, 'user' | 'nextCursor'> = {
    sessions: [],
    rooms: [],
    conversations: [],
    blocks: [],
    messages: [],
  };
  let remaining = limit;
  let next: ExportPosition | undefined;
  let after = position.after;
  for (const section of EXPORT_SECTIONS.slice(EXPORT_SECTIONS.indexOf(position.section))) {
    if (remaining === 0) {
      next = { section, after: undefined };
      break;
    }
    const slice = await deps.exports.slice(section, account.username, remaining, after);
    (page[section] as unknown[]).push(...slice.items);
    remaining -= slice.items.length;
    if (slice.after !== undefined) {
      next = { section, after: slice.after };
      break;
    }
    after = undefined;
  }
  return {
    user: { ...toPublicUser(account), createdAt: account.createdAt },
    ...page,
    nextCursor: next === undefined ? null : cursorOf(next),
  };
}
