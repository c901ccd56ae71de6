/**
 * A notifier that keeps failing, over the local stack: the push provider's endpoint is a port nothing listens
 * on, a real fault. The sender's ack does not wait for it; the stream record is retried as the mapping says
 * (lib/notifier.ts) and then parked in the dead-letter queue, and later messages are still handled.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { notifier } from '../../lib/notifier.ts';
import { apiClient } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { eventually } from '../support/ws-client.ts';

const nowhere = `http://127.0.0.1:${await freePort()}/_local/pushes`;
const log: string[] = [];
const stack = await startTestStack({
  environment: { PUSH_LOCAL_SINK_URL: nowhere },
  log: (line) => log.push(line),
});
afterAll(() => stack.stop());
const api = apiClient(stack.httpUrl);

describe('a failing notifier', () => {
  it('is retried, then parks the record in the dead-letter queue; the ack never waited for it', async () => {
    const [sender, recipient] = await api.signUpEach('sender', 'recipient');
    const register = await api.call('PUT', '/me/devices/phone', {
      token: recipient.token,
      body: { platform: 'fcm', token: 'fcm-token' },
    });
    expect(register.status).toBe(204);
    const { conversationId } = await api.openConversation(sender, recipient.username);

    const posted = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: sender.token,
      body: { text: 'will not push' },
    });
    // The sender's answer is the usual one: the message is stored and sent whatever becomes of its push.
    expect(posted.status).toBe(201);
    expect((await api.conversationHistory(conversationId, recipient)).map((m) => m.text)).toEqual([
      'will not push',
    ]);
    const { messageId } = posted.body.message;

    const parked = () =>
      stack.notifier.deadLetters.find((letter) =>
        letter.records.some((record) => record.dynamodb?.NewImage?.messageId?.S === messageId),
      );
    await eventually(() => parked() !== undefined, 10_000);
    expect(parked()?.records).toHaveLength(1);
    expect(parked()?.records[0]?.eventName).toBe('INSERT');
    expect(stack.notifier.handledMessageIds.has(messageId)).toBe(false);
    // The first try and each retry: one invocation each, every one reporting the record failed.
    const tries = log.filter((line) => line.startsWith('STREAM notifier 1 records, 1 failed'));
    expect(tries).toHaveLength(notifier.retryAttempts + 1);
  });
});
