/** `chat devices` and `chat mute` against the local stack. */
import { describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { loggedInChat, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();

describe('chat devices', () => {
  it('lists the devices registered through the typed client, as a table or JSON', async () => {
    const { env, account } = await loggedInChat(stack, 'dev');
    expect((await runChat(['devices'], env)).stdout).toBe(
      'No devices: the mobile app registers one when it signs in.\n',
    );
    const anonymous = new ChatApi({ baseUrl: stack.httpUrl });
    const api = anonymous.withLogin(await anonymous.login(account.username, account.password));
    await api.registerDevice('phone-1', 'apns', 'a'.repeat(64));

    const table = await runChat(['devices'], env);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^DEVICE\s+PLATFORM\s+REGISTERED\s+UPDATED\nphone-1\s+apns\s/);
    const listed = JSON.parse((await runChat(['devices', '--json'], env)).stdout);
    expect(listed).toEqual([
      {
        deviceId: 'phone-1',
        platform: 'apns',
        registeredAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain('a'.repeat(64));
  });
});

describe('chat mute', () => {
  it('mutes and unmutes a conversation by @username or id; one that is not yours is refused', async () => {
    const alice = await loggedInChat(stack, 'mute');
    const bob = await loggedInChat(stack, 'muted');
    expect(await runChat(['send', `@${bob.account.username}`, 'hi'], alice.env)).toMatchObject({ code: 0 });

    const muted = await runChat(['mute', `@${bob.account.username}`], alice.env);
    expect(muted).toMatchObject({ code: 0, stderr: '' });
    expect(muted.stdout).toBe(`Muted ${bob.account.username}: no push notifications for it.\n`);
    const [conversation] = JSON.parse((await runChat(['conversations', '--json'], alice.env)).stdout);
    const unmuted = await runChat(['mute', conversation.conversationId, '--off'], alice.env);
    expect(unmuted.stdout).toBe(`Unmuted ${conversation.conversationId}.\n`);

    const stranger = await runChat(['mute', '@nobody_at_all'], alice.env);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/no conversation with nobody_at_all/);
    const notYours = await runChat(['mute', 'c_AAAAAAAAAAAAAAAAAAAAAA'], alice.env);
    expect(notYours.code).toBe(1);
    expect(notYours.stderr).toMatch(/\(CONVERSATION_NOT_FOUND\)\n$/);
  });
});
