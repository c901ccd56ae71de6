/**
 * What a million room messages cost on AWS, from this run's measured capacity and duration and AWS's published
 * prices. The model: one member of a room sends `{"action":"message"}` over the WebSocket API; the `message`
 * function (512 MB, ARM) runs once; the sender gets an ack and every other member the message.
 */
import type { Capacity } from './capacity.ts';
import { round } from './stats.ts';

/**
 * US East (N. Virginia) list prices, on-demand, beyond the free tiers, as published on the AWS pricing pages
 * (checked November 2026; DynamoDB's on-demand prices are those in force since 1 November 2024).
 */
export const PRICES = {
  region: 'us-east-1',
  date: '2026-11',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  ],
  /** Lambda, Arm: per million requests, and per GB-second (first 7.5 billion GB-s a month). */
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  /** WebSocket API: per million messages sent or received, metered in 32 KB increments (first billion a month). */
  webSocketMessagesPerMillion: 1.0,
  /** WebSocket API: per million connection minutes. */
  webSocketConnectionMinutesPerMillion: 0.25,
  /** DynamoDB on-demand, standard table class: per million write and read request units. */
  dynamoWriteRequestUnitsPerMillion: 0.625,
  dynamoReadRequestUnitsPerMillion: 0.125,
} as const;

/** The function's memory, as lib/constructs/chat-function.ts sets it. */
const MEMORY_GB = 512 / 1024;

export interface CostModel {
  readonly roomMembers: number;
  /** USD per million messages, per service, and in total. */
  readonly lambda: number;
  readonly apiGateway: number;
  readonly dynamodb: number;
  readonly total: number;
  readonly assumptions: {
    readonly webSocketMessagesPerMessage: number;
    readonly lambdaInvocationsPerMessage: number;
    /** Billed duration of one invocation, rounded up to the ms: this run's warm p50 of the action. */
    readonly lambdaBilledMs: number;
    readonly readRequestUnits: number;
    readonly writeRequestUnits: number;
  };
  /** Billed by time connected, not per message: one member connected for a 30-day month. */
  readonly connectionMonthUsd: number;
  readonly prices: typeof PRICES;
}

export function costPerMillionMessages(members: number, capacity: Capacity, invocationMs: number): CostModel {
  // In: the sender's frame. Out: the ack, and the message to each other member. Each is under 32 KB.
  const webSocketMessages = 1 + 1 + (members - 1);
  const billedMs = Math.ceil(invocationMs);
  // Everything per million messages.
  const lambda =
    PRICES.lambdaRequestsPerMillion + 1e6 * MEMORY_GB * (billedMs / 1000) * PRICES.lambdaArmGbSecond;
  const apiGateway = webSocketMessages * PRICES.webSocketMessagesPerMillion;
  const dynamodb =
    capacity.read * PRICES.dynamoReadRequestUnitsPerMillion +
    capacity.write * PRICES.dynamoWriteRequestUnitsPerMillion;
  return {
    roomMembers: members,
    lambda: round(lambda, 2),
    apiGateway: round(apiGateway, 2),
    dynamodb: round(dynamodb, 2),
    total: round(lambda + apiGateway + dynamodb, 2),
    assumptions: {
      webSocketMessagesPerMessage: webSocketMessages,
      lambdaInvocationsPerMessage: 1,
      lambdaBilledMs: billedMs,
      readRequestUnits: capacity.read,
      writeRequestUnits: capacity.write,
    },
    connectionMonthUsd: round((30 * 24 * 60 * PRICES.webSocketConnectionMinutesPerMillion) / 1e6, 4),
    prices: PRICES,
  };
}
