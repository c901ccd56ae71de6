import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';

/**
 * Puts a new value into a secret of the local stack's emulated Secrets Manager the way docs/deployment.md
 * rotates the signing key on AWS: `PutSecretValue` with the real SDK client (any credentials do locally).
 */
export async function putSecretValue(endpoint: string, secretId: string, value: string) {
  const client = new SecretsManagerClient({ ...localAwsSettings, endpoint });
  try {
    return await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  } finally {
    client.destroy();
  }
}
