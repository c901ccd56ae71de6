import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** Options of the token signing key. */
export interface JwtSigningKeyProps {
  /**
   * Shown in the Secrets Manager console.
   *
   * @default a sentence saying what the secret is for
   */
  readonly description?: string;
}

/**
 * The HS256 key that signs and verifies the chat's access tokens. Secrets Manager generates it at deploy time,
 * so the value never appears in the template, the code or a function's environment: functions receive only the
 * secret's ARN (`JWT_SECRET_ARN`) and read the value on first use and again every
 * `SIGNING_KEY_CACHE_SECONDS`, so a rotated key takes effect within minutes.
 */
export class JwtSigningKey extends secretsmanager.Secret {
  constructor(scope: Construct, id: string, props: JwtSigningKeyProps = {}) {
    super(scope, id, {
      description: props.description ?? 'HS256 key that signs and verifies the chat access tokens (JWT)',
      generateSecretString: {
        // 64 characters of letters and digits: about 380 bits, well above the 256 bits HS256 needs, and no
        // punctuation so that the key survives any quoting on its way to a shell or a config file.
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
  }
}
