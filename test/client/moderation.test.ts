/** The typed client's moderation routes and the `removed` and `room_deleted` events, against the local stack. */
import { afterAll, afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ApiError, type FrameEvents, type ServerFrameType } from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { newRoom, sessionPool, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const sessions = sessionPool(stack);
afterEach(() => sessions.closeAll());

const { connect } = sessions;

/** The `ApiError` code of a refused call (fails the test when the call succeeds). */
async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return (error as ApiError).code;
}

describe('ChatApi moderation', () => {
  it('sets a moderator, who kicks, mutes and bans a member; live sessions hear it and drop the room', async () => {
    const [alice, carol, bob] = await Promise.all([
      signUp(stack.httpUrl, 'alice'),
      signUp(stack.httpUrl, 'carol'),
      signUp(stack.httpUrl, 'bob'),
    ]);
    const room = await newRoom(alice.api, 'moderated');
    await Promise.all([carol.api.joinRoom(room), bob.api.joinRoom(room)]);

    const promoted = await alice.api.setRole(room, carol.username, 'moderator');
    expect(promoted).toEqual({ username: carol.username, role: 'moderator', joinedAt: expect.any(String) });
    expect(await refusal(bob.api.kick(room, carol.username))).toBe('FORBIDDEN');
    expect(await refusal(carol.api.setRole(room, bob.username, 'moderator'))).toBe('FORBIDDEN');

    // Kick: bob's session is told, and no longer counts the room among its own.
    const bobSession = await connect(bob.token);
    await bobSession.join(room);
    const kicked = bobSession.waitFor('removed', (frame) => frame.room === room, 5_000);
    await carol.api.kick(room, bob.username);
    expect(await kicked).toEqual({ type: 'removed', room, by: carol.username });
    expect([...bobSession.rooms]).toEqual([]);
    expect((await alice.api.roomMembers(room)).items.map((member) => member.username)).not.toContain(
      bob.username,
    );

    // Mute: bob reads, but cannot post until unmuted.
    await bob.api.joinRoom(room);
    const muted = await carol.api.mute(room, bob.username, { durationSeconds: 600 });
    expect(muted).toMatchObject({ room, username: bob.username, mutedBy: carol.username });
    expect(Date.parse(muted.mutedUntil) - Date.now()).toBeGreaterThan(590_000);
    expect(await refusal(bob.api.postRoomMessage(room, 'hello?'))).toBe('MUTED');
    await carol.api.unmute(room, bob.username);
    await bob.api.postRoomMessage(room, 'hello again');

    // Ban: a kick that also refuses joining, until lifted.
    await bobSession.join(room);
    const banned = bobSession.waitFor('removed', (frame) => frame.room === room, 5_000);
    const ban = await carol.api.ban(room, bob.username, { reason: 'spam', durationSeconds: 3_600 });
    expect(ban).toMatchObject({ room, username: bob.username, bannedBy: carol.username, reason: 'spam' });
    expect(Date.parse(ban.expiresAt ?? '') - Date.parse(ban.bannedAt)).toBe(3_600_000);
    await banned;
    expect([...bobSession.rooms]).toEqual([]);
    expect(await refusal(bob.api.joinRoom(room))).toBe('BANNED');
    await carol.api.unban(room, bob.username);
    expect((await bob.api.joinRoom(room)).created).toBe(true);
  });

  it('deletes a room by its owner only; sessions in it get room_deleted and drop it', async () => {
    const [alice, bob] = await Promise.all([signUp(stack.httpUrl, 'alice'), signUp(stack.httpUrl, 'bob')]);
    const room = await newRoom(alice.api, 'doomed');
    const kept = await newRoom(alice.api, 'kept');
    const bobSession = await connect(bob.token);
    await bobSession.join(room);
    await bobSession.join(kept);

    expect(await refusal(bob.api.deleteRoom(room))).toBe('FORBIDDEN');
    const deleted = bobSession.waitFor('room_deleted', (frame) => frame.room === room, 5_000);
    await alice.api.deleteRoom(room);

    expect(await deleted).toEqual({ type: 'room_deleted', room });
    expect([...bobSession.rooms]).toEqual([kept]);
    expect(await refusal(alice.api.roomMembers(room))).toBe('ROOM_NOT_FOUND');
    expect(await refusal(alice.api.deleteRoom(room))).toBe('ROOM_NOT_FOUND');
  });
});

describe('ChatSession events', () => {
  it('has one typed event per server frame of the contract (checked by the compiler)', () => {
    expectTypeOf<keyof FrameEvents>().toEqualTypeOf<ServerFrameType>();
  });
});
