/**
 * The typed client covers the whole HTTP contract: one scenario calls every `ChatApi` method against the local
 * stack, and every route of lib/contract must have been reached by one of them. A route added to the contract
 * without a client method fails here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { type HttpRouteKey, httpRouteKeys } from '../../lib/contract/index.ts';
import { newAccount, uniqueRoomName } from '../support/accounts.ts';
import { startTestStack } from '../support/local-stack.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

/** Each route key as a pattern of its path; literal segments win over parameters (`members/me`). */
const routePatterns = httpRouteKeys
  .map((key) => {
    const [method, path] = key.split(' ') as [string, string];
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return { key, method, pattern, parameters: path.split('{').length - 1 };
  })
  .sort((a, b) => a.parameters - b.parameters);

/** A `fetch` that records the route key of every request that got an answer in the 2xx range. */
function recordingFetch(reached: Set<HttpRouteKey>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    const route = routePatterns.find(
      (candidate) => candidate.method === method && candidate.pattern.test(url.pathname),
    );
    if (route !== undefined && response.ok) reached.add(route.key);
    return response;
  };
}

describe('ChatApi', () => {
  it('has a method for every route of the contract, each answered with success', async () => {
    const reached = new Set<HttpRouteKey>();
    const options = { baseUrl: stack.httpUrl, fetch: recordingFetch(reached) };
    const anonymous = new ChatApi(options);
    const [aliceAccount, bobAccount] = [newAccount('alice'), newAccount('bob')];
    await anonymous.register(aliceAccount);
    await anonymous.register(bobAccount);
    const alice = anonymous.withLogin(await anonymous.login(aliceAccount.username, aliceAccount.password));
    const bobLogin = await anonymous.login(bobAccount.username, bobAccount.password);
    const bob = anonymous.withLogin(await anonymous.refresh(bobLogin.refreshToken));
    const bobName = bobAccount.username;

    // Account
    await alice.me();
    await alice.exportPage();
    await alice.wsTicket();
    await alice.searchUsers(bobName.slice(0, 3));
    await alice.block(bobName);
    await alice.listBlocks();
    await alice.unblock(bobName);
    await alice.registerDevice('phone', 'apns', 'a'.repeat(64));
    await alice.listDevices();
    await alice.deleteDevice('phone');

    // Conversations
    const { value: conversation } = await alice.openConversation(bobName);
    const { value: said } = await alice.postConversationMessage(conversation.conversationId, 'hi');
    const inConversation = { conversationId: conversation.conversationId };
    await alice.editMessage(inConversation, said.messageId, 'hi!');
    await bob.markRead(inConversation, said.messageId);
    await bob.react(inConversation, said.messageId, '👍');
    await bob.react(inConversation, said.messageId, '👍', false);
    await alice.deleteMessage(inConversation, said.messageId);
    await alice.conversationMessages(conversation.conversationId);
    await alice.listConversations();
    await alice.muteConversation(conversation.conversationId);

    // Groups (a third user, registered only: adding needs a name, not a login)
    const [daveAccount, erinAccount] = [newAccount('dave'), newAccount('erin')];
    await anonymous.register(daveAccount);
    await anonymous.register(erinAccount);
    const group = await alice.createGroup([bobName, daveAccount.username], 'Group');
    await bob.renameConversation(group.conversationId, 'Renamed');
    await bob.addParticipant(group.conversationId, erinAccount.username);
    await bob.leaveConversation(group.conversationId);

    // Rooms, membership and moderation
    const room = (await alice.createRoom(uniqueRoomName('covered'), { visibility: 'private' })).name;
    await alice.listRooms();
    await alice.invite(room, bobName);
    await bob.myInvitations();
    await bob.joinRoom(room);
    await bob.myRooms();
    await alice.roomMembers(room);
    await alice.roomPresence(room);
    const { value: posted } = await alice.postRoomMessage(room, 'hello');
    await alice.editMessage({ room }, posted.messageId, 'hello!');
    await bob.markRead({ room }, posted.messageId);
    await bob.react({ room }, posted.messageId, '🎉');
    await bob.react({ room }, posted.messageId, '🎉', false);
    await alice.deleteMessage({ room }, posted.messageId);
    await alice.roomMessages(room);
    await alice.setRole(room, bobName, 'moderator');
    await alice.setRole(room, bobName, 'member');
    await alice.mute(room, bobName);
    await alice.unmute(room, bobName);
    await alice.kick(room, bobName);
    await alice.ban(room, bobName);
    await alice.unban(room, bobName);
    await alice.invite(room, bobName);
    await bob.joinRoom(room);
    await bob.leaveRoom(room);
    await alice.deleteRoom(room);

    // Sessions, last
    await bob.logoutAll();
    const carolAccount = newAccount('carol');
    await anonymous.register(carolAccount);
    const carol = anonymous.withLogin(await anonymous.login(carolAccount.username, carolAccount.password));
    await carol.changePassword(carolAccount.password, `${carolAccount.password}!`);
    await carol.logout();
    await alice.deleteAccount(aliceAccount.password);

    expect(httpRouteKeys.filter((key) => !reached.has(key))).toEqual([]);
  });
});
