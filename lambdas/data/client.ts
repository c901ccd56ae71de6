import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The document client, built once per container. Timeouts are short so that an unreachable database answers
 * 503 well inside API Gateway's 30 s limit instead of hanging; the SDK's standard retry strategy already
 * retries throttling with exponential backoff and jitter before we map it to 503. The endpoint comes from the
 * SDK's own `AWS_ENDPOINT_URL_DYNAMODB` variable (set only by the local stack).
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 3,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and a database that
    // accepts connections but never answers would hang the request until Lambda kills it.
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
