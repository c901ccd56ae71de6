/** The typed client's membership routes and the `invited` event, against the local stack. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/client/index.ts';
import { uniqueRoomName } from '../support/accounts.ts';
import { startTestStack } from '../support/local-stack.ts';
import { sessionPool, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const sessions = sessionPool(stack);
afterEach(() => sessions.closeAll());

describe('ChatApi membership', () => {
  it('creates a private room, invites (the invitee’s session hears it), accepts, lists and leaves', async () => {
    const [alice, bob] = await Promise.all([signUp(stack.httpUrl, 'alice'), signUp(stack.httpUrl, 'bob')]);
    const bobSession = await sessions.connect(bob.api);
    const name = uniqueRoomName('client');

    const room = await alice.api.createRoom(name, { visibility: 'private', topic: 'Roadmap' });
    const heard = bobSession.waitFor('invited', (frame) => frame.room === name, 5_000);
    const invitation = await alice.api.invite(name, bob.username);

    expect(room).toMatchObject({ name, visibility: 'private', topic: 'Roadmap', memberCount: 1 });
    expect(await heard).toEqual({ type: 'invited', room: name, by: alice.username });
    expect((await bob.api.myInvitations()).items).toEqual([invitation]);
    const refused = await bob.api.roomMembers(name).catch((error) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.code).toBe('ROOM_NOT_FOUND');

    const joined = await bob.api.joinRoom(name);
    const again = await bob.api.joinRoom(name);

    expect(joined).toEqual({
      value: { username: bob.username, role: 'member', joinedAt: expect.any(String) },
      created: true,
    });
    expect(again.created).toBe(false);
    expect((await bob.api.roomMembers(name)).items.map((member) => member.role).sort()).toEqual([
      'member',
      'owner',
    ]);
    expect((await bob.api.myRooms()).items).toEqual([
      { ...room, memberCount: 2, role: 'member', unreadCount: 0, lastReadMessageId: null },
    ]);
    await bob.api.leaveRoom(name);
    expect((await bob.api.myRooms()).items).toEqual([]);
    const ownerLeaving = await alice.api.leaveRoom(name).catch((error) => error);
    expect(ownerLeaving.code).toBe('FORBIDDEN');
  });
});
