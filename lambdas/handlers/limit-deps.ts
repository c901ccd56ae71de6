import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LimitRepository } from '../data/limits.ts';
import type { LimitDeps } from '../domain/limits.ts';
import { quotas, ratePolicies } from '../shared/config.ts';
import { recordMetric } from '../shared/metrics.ts';

/** The per-user rates and quotas, as configured, on the given client: every function that enforces one. */
export function limitDeps(doc: DynamoDBDocumentClient, table: string): Omit<LimitDeps, 'now'> {
  return {
    limits: new LimitRepository(doc, table),
    ratePolicies: ratePolicies(),
    quotas: quotas(),
    recordMetric,
  };
}
