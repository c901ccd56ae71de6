/** The notifier's pure parts: who a room message mentions, a push's payload, the stream filter. */
import { describe, expect, it } from 'vitest';
import { MESSAGE_STREAM_FILTER, messageOfStreamRecord } from '../../lambdas/data/stream.ts';
import { MAX_MENTIONS, mentionsOf, payloadOf } from '../../lambdas/domain/notifier.ts';
import { matchesPattern } from '../../lib/local/stream-mapping.ts';

describe('mentions', () => {
  it('are @username, lower-cased, once each; trailing punctuation is read both ways', () => {
    expect(mentionsOf('hi @Bob, and @carol.x: @BOB! mail@example.com @ab @dave.')).toEqual([
      'bob',
      'carol.x',
      'dave.',
      'dave',
    ]);
    expect(mentionsOf('no one here')).toEqual([]);
  });

  it('are bounded', () => {
    const text = Array.from({ length: 50 }, (_, n) => `@user${n}`).join(' ');
    expect(mentionsOf(text)).toHaveLength(MAX_MENTIONS);
  });
});

describe('a push payload', () => {
  const base = { messageId: 'm1', from: 'alice', sentAt: '2026-11-29T00:00:00.000Z' };
  it('names the sender, and the room or the group’s title when there is one', () => {
    expect(payloadOf({ ...base, conversationId: 'c_x', text: 'hi' }, 3)).toEqual({
      title: 'alice',
      body: 'hi',
      conversationId: 'c_x',
      messageId: 'm1',
      badge: 3,
    });
    expect(payloadOf({ ...base, room: 'general', text: 'hi' }, 0)).toMatchObject({
      title: 'alice in #general',
    });
    expect(payloadOf({ ...base, conversationId: 'c_g', text: 'hi' }, 0, 'Trip')).toMatchObject({
      title: 'alice in Trip',
    });
  });

  it('cuts the text to 100 characters without splitting one', () => {
    const body = payloadOf({ ...base, room: 'r', text: '😀'.repeat(150) }, 0).body;
    expect([...body]).toHaveLength(100);
    expect(body.endsWith('😀…')).toBe(true);
    expect(payloadOf({ ...base, room: 'r', text: 'x'.repeat(100) }, 0).body).toBe('x'.repeat(100));
  });
});

describe('the stream filter', () => {
  const record = (eventName: 'INSERT' | 'MODIFY', type: string) => ({
    eventName,
    dynamodb: {
      NewImage: {
        type: { S: type },
        messageId: { S: 'm1' },
        room: { S: 'general' },
        from: { S: 'alice' },
        text: { S: 'hi' },
        sentAt: { S: '2026-11-29T00:00:00.000Z' },
        GSI1PK: { S: 'USERMSGS#alice' },
      },
    },
  });

  it('passes the inserts of message items only', () => {
    expect(matchesPattern(MESSAGE_STREAM_FILTER, record('INSERT', 'Message'))).toBe(true);
    expect(matchesPattern(MESSAGE_STREAM_FILTER, record('MODIFY', 'Message'))).toBe(false);
    expect(matchesPattern(MESSAGE_STREAM_FILTER, record('INSERT', 'ClientMessageId'))).toBe(false);
    expect(matchesPattern(MESSAGE_STREAM_FILTER, { eventName: 'INSERT' })).toBe(false);
  });

  it('reads the message out of its new image, with the contract fields only', () => {
    expect(messageOfStreamRecord(record('INSERT', 'Message'))).toEqual({
      messageId: 'm1',
      room: 'general',
      from: 'alice',
      text: 'hi',
      sentAt: '2026-11-29T00:00:00.000Z',
    });
    expect(messageOfStreamRecord(record('INSERT', 'Device'))).toBeUndefined();
  });
});
