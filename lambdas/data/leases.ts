import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';

/**
 * The UpdateItem that claims a once-only job for a lease (a push to a device, a shard of a fan-out): it
 * succeeds when the job's marker does not exist, or when it is not done (no `doneAttribute`) and an earlier
 * claim's lease ran out. The marker expires (TTL) after `keepSeconds`.
 */
export function leaseClaim(
  tableName: string,
  key: Key,
  claim: {
    readonly type: string;
    readonly doneAttribute: string;
    readonly nowMs: number;
    readonly leaseMs: number;
    readonly keepSeconds: number;
  },
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #type = :type, leaseUntil = :until, expiresAt = :expires',
    ConditionExpression: `attribute_not_exists(PK) OR (attribute_not_exists(${claim.doneAttribute}) AND leaseUntil < :now)`,
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':type': claim.type,
      ':until': claim.nowMs + claim.leaseMs,
      ':now': claim.nowMs,
      ':expires': Math.floor(claim.nowMs / 1000) + claim.keepSeconds,
    },
  };
}
