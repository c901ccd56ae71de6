/**
 * The group conversation routes of the HTTP API (create, add, leave, rename), for `ChatApi`
 * (lib/client/http.ts), which sends the requests. A refusal is an `ApiError` with the server's code
 * (`NOT_A_GROUP`, `ALREADY_MEMBER`, `QUOTA_EXCEEDED`, `BLOCKED`, `CONVERSATION_NOT_FOUND`...).
 */
import type { Requester } from './membership.ts';
import type { Conversation } from './types.ts';

const conversationPath = (conversationId: string) => `/conversations/${encodeURIComponent(conversationId)}`;

/** Creates a group of you and `participants` (two or more other users; at most 100 in all), titled or not. */
export async function createGroup(
  request: Requester,
  participants: readonly string[],
  title?: string,
): Promise<Conversation> {
  const body = title === undefined ? { participants } : { participants, title };
  return (await request<{ conversation: Conversation }>('POST', '/conversations', { body })).body
    .conversation;
}

/** Adds a user to a group you are in; every participant's sessions (theirs too) get `participant_added`. */
export async function addParticipant(
  request: Requester,
  conversationId: string,
  username: string,
): Promise<Conversation> {
  const path = `${conversationPath(conversationId)}/participants`;
  return (await request<{ conversation: Conversation }>('POST', path, { body: { username } })).body
    .conversation;
}

/** Leaves a group: it is then as unknown to you as any stranger's (404). */
export async function leaveConversation(request: Requester, conversationId: string): Promise<void> {
  await request('DELETE', `${conversationPath(conversationId)}/participants/me`);
}

/** Sets a group's title (any participant; one line of at most 100 characters). */
export async function renameConversation(
  request: Requester,
  conversationId: string,
  title: string,
): Promise<Conversation> {
  const answer = await request<{ conversation: Conversation }>('PATCH', conversationPath(conversationId), {
    body: { title },
  });
  return answer.body.conversation;
}
