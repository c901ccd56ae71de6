/**
 * The tables of docs/*.md that are facts of the code: each is rebuilt from the module that owns the fact, so a
 * document cannot drift from it. A table sits in a document between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->`; `npx tsx scripts/docs.ts` rewrites what is between the two, and `--check` (and
 * test/docs/docs.test.ts) fails when a committed document differs from what it would write.
 *
 * One small function per table, so that each can be pointed at another source without touching the rest.
 */
import { readdirSync } from 'node:fs';
import {
  blockKey,
  clientMessageIdKey,
  connectionKey,
  conversationActivitySortKey,
  conversationKey,
  deviceCountKey,
  deviceKey,
  emailKey,
  fanOutShardKey,
  invitationKey,
  type Key,
  loginFailuresKey,
  messagePartition,
  messageSortKey,
  presenceKey,
  presentCountKey,
  publicRoomsIndexKeys,
  pushSentKey,
  rateBucketKey,
  reactionKey,
  roomBanKey,
  roomKey,
  roomMemberKey,
  roomMembershipKey,
  roomsIndexSortKey,
  sessionKey,
  typingKey,
  userConnectionsIndexKey,
  userConversationKey,
  userConversationsIndexKey,
  userKey,
  userMessagesIndexKey,
  usernameSearchEntry,
  userPrivateRoomsIndexEntry,
  userRoomKey,
  userSessionsIndexKey,
  webSocketTicketKey,
} from '../lambdas/data/keys.ts';
import { environmentVariables } from '../lambdas/shared/environment.ts';
import {
  type HttpErrorCode,
  httpErrors,
  type SocketErrorCode,
  socketErrorCodes,
  socketOnlyErrors,
} from '../lib/contract/index.ts';
import { nagAcknowledgements } from '../lib/nag-acknowledgements.ts';
import {
  type FunctionName,
  functionNames,
  functions,
  httpFallbackRoute,
  httpRouteKey,
  httpRoutes,
  routeKeysOf,
  tableAccessOf,
  webSocketRoutes,
} from '../lib/routes.ts';

/** A Markdown table; `|` inside a cell is escaped and line breaks become spaces. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll(/\s*\n\s*/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const code = (text: string) => `\`${text}\``;

const ACCESS_WORDS = { none: 'none', read: 'read', write: 'write', readWrite: 'read and write' } as const;

/** Every HTTP route of lib/routes.ts with its function, table access, authentication and route throttle. */
export function httpRoutesTable(): string {
  const rows = httpRoutes.map((route) => [
    code(httpRouteKey(route)),
    code(route.function),
    ACCESS_WORDS[route.access],
    route.authenticated ? 'bearer token' : 'public',
    route.throttle ? `${route.throttle.rateLimit}/s, burst ${route.throttle.burstLimit}` : 'the stage’s',
  ]);
  rows.push([
    `${code(httpFallbackRoute.routeKey)} (every other method and path)`,
    code(httpFallbackRoute.function),
    'none',
    'public',
    'the stage’s',
  ]);
  return markdownTable(['route', 'function', 'table access', 'authentication', 'throttle'], rows);
}

/** Every WebSocket route key of lib/routes.ts with its function and table access. */
export function webSocketRoutesTable(): string {
  const rows = webSocketRoutes.map((route) => [
    code(route.routeKey),
    code(route.function),
    ACCESS_WORDS[route.access],
  ]);
  return markdownTable(['route key', 'function', 'table access'], rows);
}

/** Every function of lib/routes.ts: what it serves and what its role is granted. */
export function functionsTable(): string {
  const rows = functionNames.map((name: FunctionName) => {
    const spec = functions[name];
    return [
      code(name),
      code(spec.entry),
      routeKeysOf(name).map(code).join(', '),
      ACCESS_WORDS[tableAccessOf(name)],
      spec.postsToConnections ? 'yes' : 'no',
      spec.closesConnections ? 'yes' : 'no',
      spec.usesSigningKey ? 'yes' : 'no',
    ];
  });
  return markdownTable(
    [
      'function',
      'entry',
      'routes',
      'table access',
      'posts to connections',
      'closes connections',
      'reads the signing key',
    ],
    rows,
  );
}

/** Placeholders handed to the key builders, so that the table shows each key's shape. */
const SAMPLE = {
  username: '<username, lower-cased>',
  email: '<email, lower-cased>',
  room: '<room name>',
  connectionId: '<connectionId>',
  messageId: '<messageId>',
  conversationId: '<conversationId>',
  clientMessageId: '<clientMessageId>',
  sessionId: '<sessionId>',
  ticketHash: '<SHA-256 of the ticket>',
} as const;

interface KeyRow {
  readonly item: string;
  readonly key: Key;
  /** GSI1PK and GSI1SK, from their builders. */
  readonly index?: readonly [string, string];
}

/** The key of every item kind, built by lambdas/data/keys.ts itself from placeholder values. */
export function keysTable(): string {
  const room = { room: SAMPLE.room };
  const conversation = { conversationId: SAMPLE.conversationId };
  const guard = (target: typeof room | typeof conversation) =>
    clientMessageIdKey(target, SAMPLE.username, SAMPLE.clientMessageId);
  const reaction = (target: typeof room | typeof conversation) =>
    reactionKey(target, SAMPLE.username, SAMPLE.messageId, '👍');
  const rows: KeyRow[] = [
    {
      item: 'user profile',
      key: userKey(SAMPLE.username),
      index: ['USERNAMES#<first 2 characters>', usernameSearchEntry(SAMPLE.username).GSI1SK],
    },
    { item: 'email claim', key: emailKey(SAMPLE.email) },
    {
      item: 'room (public: listed in one of the shards)',
      key: roomKey(SAMPLE.room),
      index: [
        `${publicRoomsIndexKeys()[0]} … ${publicRoomsIndexKeys().at(-1)}`,
        roomsIndexSortKey(SAMPLE.room),
      ],
    },
    { item: 'room (private: not listed)', key: roomKey(SAMPLE.room) },
    { item: 'room member (one per user)', key: roomMembershipKey(SAMPLE.room, SAMPLE.username) },
    { item: 'ban from a room (one per user)', key: roomBanKey(SAMPLE.room, SAMPLE.username) },
    { item: 'room connection (one per connection)', key: roomMemberKey(SAMPLE.room, SAMPLE.connectionId) },
    { item: 'presence (one per user and room)', key: presenceKey(SAMPLE.room, SAMPLE.username) },
    { item: 'present users of a room (a counter)', key: presentCountKey(SAMPLE.room) },
    {
      item: 'room message',
      key: { PK: messagePartition(room), SK: messageSortKey(SAMPLE.messageId) },
      index: [userMessagesIndexKey(SAMPLE.username), SAMPLE.messageId],
    },
    {
      item: 'clientMessageId guard (room or conversation)',
      key: { PK: `${guard(room).PK} or ${guard(conversation).PK}`, SK: guard(room).SK },
    },
    {
      item: 'reaction (one per user, message and emoji; the emoji in hex code points, here 👍)',
      key: {
        PK: `${reaction(room).PK} or ${reaction(conversation).PK}`,
        SK: reaction(room).SK,
      },
    },
    {
      item: 'connection',
      key: connectionKey(SAMPLE.connectionId),
      index: [userConnectionsIndexKey(SAMPLE.username), SAMPLE.connectionId],
    },
    { item: 'conversation', key: conversationKey(SAMPLE.conversationId) },
    {
      item: 'conversation message',
      key: { PK: messagePartition(conversation), SK: messageSortKey(SAMPLE.messageId) },
      index: [userMessagesIndexKey(SAMPLE.username), SAMPLE.messageId],
    },
    {
      item: 'a user’s conversation',
      key: userConversationKey(SAMPLE.username, SAMPLE.conversationId),
      index: [
        userConversationsIndexKey(SAMPLE.username),
        conversationActivitySortKey('<last activity>', SAMPLE.conversationId),
      ],
    },
    {
      item: 'membership of a user (private rooms indexed)',
      key: userRoomKey(SAMPLE.username, SAMPLE.room),
      index: [
        userPrivateRoomsIndexEntry(SAMPLE.username, SAMPLE.room).GSI1PK,
        userPrivateRoomsIndexEntry(SAMPLE.username, SAMPLE.room).GSI1SK,
      ],
    },
    { item: 'invitation', key: invitationKey(SAMPLE.username, SAMPLE.room) },
    {
      item: 'block (one per blocker and blocked user)',
      key: blockKey(SAMPLE.username, '<blocked username>'),
    },
    { item: 'push device', key: deviceKey(SAMPLE.username, '<deviceId>') },
    { item: 'push device count (one per user)', key: deviceCountKey(SAMPLE.username) },
    {
      item: 'push sent (one per message and device, with TTL)',
      key: pushSentKey(SAMPLE.messageId, SAMPLE.username, '<deviceId>'),
    },
    {
      item: 'fan-out shard (one per shard of a sharded room message, with TTL)',
      key: fanOutShardKey(SAMPLE.messageId, 0),
    },
    {
      item: 'session (one per login)',
      key: sessionKey(SAMPLE.sessionId),
      index: [userSessionsIndexKey(SAMPLE.username), SAMPLE.sessionId],
    },
    { item: 'WebSocket ticket', key: webSocketTicketKey(SAMPLE.ticketHash) },
    ...(['username', 'address'] as const).map((kind) => {
      const key = loginFailuresKey(
        kind === 'username' ? { username: SAMPLE.username } : { address: '192.0.2.1' },
      );
      // The value is hashed: show what is hashed rather than a hash of a placeholder.
      const hashed = kind === 'username' ? 'lower-cased username' : 'address bucket';
      return {
        item: kind === 'username' ? 'failed logins of a username' : 'failed logins from an address',
        key: { PK: key.PK.replace(/[^#]+$/, `<SHA-256 of the ${hashed}>`), SK: key.SK },
      };
    }),
    { item: 'rate bucket (one per user and kind)', key: rateBucketKey('<kind>', SAMPLE.username) },
    {
      item: 'typing throttle (one per user and room, with TTL)',
      key: typingKey(SAMPLE.username, { room: SAMPLE.room }),
    },
    {
      item: 'typing throttle (one per user and conversation, with TTL)',
      key: typingKey(SAMPLE.username, { conversationId: SAMPLE.conversationId }),
    },
  ];
  return markdownTable(
    ['item', 'PK', 'SK', 'GSI1PK', 'GSI1SK'],
    rows.map((row) => [
      row.item,
      code(row.key.PK),
      code(row.key.SK),
      row.index ? code(row.index[0]) : '',
      row.index ? code(row.index[1]) : '',
    ]),
  );
}

/** Every cdk-nag finding lib/nag-acknowledgements.ts acknowledges, with its reason. */
export function nagTable(): string {
  const rows = nagAcknowledgements.map((acknowledgement) => [
    code(acknowledgement.rule) + (acknowledgement.finding ? ` ${code(acknowledgement.finding)}` : ''),
    acknowledgement.where,
    acknowledgement.reason,
  ]);
  return markdownTable(['finding', 'where', 'why it is acknowledged'], rows);
}

/** The HTTP error codes of the contract, by status. */
export function httpErrorsTable(): string {
  const rows = (Object.keys(httpErrors) as HttpErrorCode[])
    .map((errorCode) => ({ errorCode, ...httpErrors[errorCode] }))
    .sort((x, y) => x.status - y.status)
    .map((row) => [String(row.status), code(row.errorCode), row.meaning]);
  return markdownTable(['status', 'code', 'meaning'], rows);
}

/** The error frame codes of the contract's WebSocket API. */
export function socketErrorsTable(): string {
  const meaningOf = (errorCode: SocketErrorCode) =>
    errorCode in socketOnlyErrors
      ? socketOnlyErrors[errorCode as keyof typeof socketOnlyErrors].meaning
      : httpErrors[errorCode as HttpErrorCode].meaning;
  return markdownTable(
    ['code', 'meaning'],
    socketErrorCodes.map((errorCode) => [code(errorCode), meaningOf(errorCode)]),
  );
}

/** Every environment variable a function may be given (lambdas/shared/environment.ts). */
export function environmentTable(): string {
  const rows = Object.entries(environmentVariables).map(([name, variable]) => {
    const range = variable.kind === 'integer' ? `, ${variable.min} to ${variable.max}` : '';
    const fallback = 'default' in variable ? code(String(variable.default)) : 'none';
    return [
      code(name),
      `${fallback}${range}`,
      variable.readBy === 'chat' ? 'our code' : variable.readBy,
      variable.meaning,
    ];
  });
  return markdownTable(['variable', 'default', 'read by', 'meaning'], rows);
}

/** The generated tables by marker name. */
export const generatedTables: Readonly<Record<string, () => string>> = {
  'http-routes': httpRoutesTable,
  'websocket-routes': webSocketRoutesTable,
  functions: functionsTable,
  keys: keysTable,
  'nag-acknowledgements': nagTable,
  'http-errors': httpErrorsTable,
  'socket-errors': socketErrorsTable,
  environment: environmentTable,
};

/** The documents that may hold generated tables, relative to the repository root: README.md and docs/*.md. */
export function documentPaths(root: URL): string[] {
  const docs = readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)];
}

const MARKER = /<!-- generated:([a-z-]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g;

/** The names of the generated sections a document contains, in order. */
export function generatedSectionsOf(text: string): string[] {
  return [...text.matchAll(MARKER)].map((match) => match[1] as string);
}

/**
 * The document with every generated section rebuilt. An opening marker without its closing one, or a name no
 * table has, is an error rather than something left alone.
 */
export function renderGeneratedSections(text: string, documentName: string): string {
  const opened = [...text.matchAll(/<!-- generated:([a-z-]+) -->/g)].length;
  if (opened !== generatedSectionsOf(text).length) {
    throw new Error(
      `${documentName}: a <!-- generated:NAME --> marker has no matching <!-- /generated:NAME -->`,
    );
  }
  return text.replaceAll(MARKER, (_whole, name: string) => {
    const build = generatedTables[name];
    if (build === undefined) throw new Error(`${documentName}: no generated table is called "${name}"`);
    return `<!-- generated:${name} -->\n${build()}\n<!-- /generated:${name} -->`;
  });
}
