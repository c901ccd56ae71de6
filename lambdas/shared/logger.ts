import { Logger } from '@aws-lambda-powertools/logger';
import { serviceName } from './config.ts';

/**
 * One structured JSON logger per container (Powertools reads POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_LOG_LEVEL). Per-request fields are passed with each entry rather than appended to the shared
 * instance, because the local stack runs many invocations concurrently in one process. Never log passwords,
 * tokens or message text.
 */
export const logger = new Logger({ serviceName: serviceName() });
