import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { type Message, toMessage } from './messages.ts';

/**
 * The table's stream, as the notifier reads it. The stream holds new images only (a record is the item as
 * written); the event source mapping passes on only the records of new message items, with this filter, which
 * the CDK stack gives Lambda and the local stack's emulated mapping applies alike.
 */
export const MESSAGE_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { type: { S: ['Message'] } } },
} as const;

/** The message a stream record holds, if it is the insert of a message item. */
export function messageOfStreamRecord(record: DynamoDBRecord): Message | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image === undefined) return undefined;
  const item = Object.fromEntries(Object.entries(image).map(([name, value]) => [name, plain(value)]));
  return item.type === 'Message' ? toMessage(item) : undefined;
}

/** A stream's attribute value as a plain value (the kinds our items hold; binary ones are never written). */
function plain(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(Number));
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) {
    return Object.fromEntries(Object.entries(value.M).map(([name, inner]) => [name, plain(inner)]));
  }
  return undefined;
}
