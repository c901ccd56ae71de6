import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../data/client.ts';
import { ConversationRepository } from '../data/conversations.ts';
import { DeviceRepository } from '../data/devices.ts';
import { MessageRepository } from '../data/messages.ts';
import { PushRepository } from '../data/push.ts';
import { messageOfStreamRecord } from '../data/stream.ts';
import { type NotifierDeps, notifyMessage } from '../domain/notifier.ts';
import { localSinkProvider, type PushProvider, snsProvider } from '../domain/push-providers.ts';
import { unreadTotal } from '../domain/read-state.ts';
import { pushProviderConfig, tableName } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { flushMetrics, recordMetric } from '../shared/metrics.ts';
import { lazySnsApi } from './sns.ts';

const doc = createDocumentClient();
const devices = new DeviceRepository(doc, tableName());
const unread = {
  conversations: new ConversationRepository(doc, tableName()),
  messages: new MessageRepository(doc, tableName()),
};

function provider(): PushProvider {
  const config = pushProviderConfig();
  if (config.kind === 'local') return localSinkProvider(config.sinkUrl);
  if (config.platformArns.apns === undefined && config.platformArns.fcm === undefined) {
    logger.warn('No SNS platform application is configured: no push will be sent');
  }
  return snsProvider({
    sns: lazySnsApi(),
    platformArns: config.platformArns,
    saveEndpoint: (device, endpoint) => devices.setEndpoint(device, endpoint),
  });
}

const deps: NotifierDeps = {
  push: new PushRepository(doc, tableName()),
  devices,
  provider: provider(),
  now: () => new Date(),
  warn: (message, attributes) => logger.warn(message, attributes),
  badge: (username, conversationId) => unreadTotal(unread, username, conversationId),
};

/**
 * The notifier: invoked by the table stream's event source mapping with batches of new message items (the
 * mapping's filter, lambdas/data/stream.ts), on AWS and in the local stack alike. Records are handled in order;
 * the first that fails is reported with the rest of the batch after it (ReportBatchItemFailures), so the
 * mapping retries from there, splits the batch, and finally parks the record in the dead-letter queue. The
 * pushes already sent are marked, so a retried record sends only what is missing.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  try {
    return await handleRecords(event);
  } finally {
    flushMetrics();
  }
}

async function handleRecords(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const [index, record] of event.Records.entries()) {
    const message = messageOfStreamRecord(record);
    if (message === undefined) continue;
    try {
      const sent = await notifyMessage(deps, message);
      logger.info('Pushes sent', { messageId: message.messageId, sent });
      recordMetric('PushesSent', sent);
    } catch (error) {
      logger.error('Pushes of a message failed; the record will be retried', {
        messageId: message.messageId,
        error,
      });
      recordMetric('PushFailures', 1);
      return {
        batchItemFailures: event.Records.slice(index).map((failed) => ({
          itemIdentifier: failed.dynamodb?.SequenceNumber ?? '',
        })),
      };
    }
  }
  return { batchItemFailures: [] };
}
