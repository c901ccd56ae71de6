/**
 * How the emulated HTTP API turns what a function returned into the HTTP response (payload format 2.0
 * response rules), and the error responses API Gateway answers by itself.
 */

/** An HTTP response, ready to send. */
export interface MappedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** A response of API Gateway's own: its status and `{"message": ...}`. */
export function gatewayError(status: number, message: string): MappedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

function isStructuredResponse(value: unknown): value is Record<string, unknown> & { statusCode: unknown } {
  return typeof value === 'object' && value !== null && 'statusCode' in value;
}

/**
 * Payload format 2.0 response rules: an object with `statusCode` is a structured response; anything else is
 * taken as the body of a 200 JSON response (a string as is, other values JSON-encoded).
 */
export function mapResult(result: unknown): MappedResponse {
  if (!isStructuredResponse(result)) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const { statusCode } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    // API Gateway answers a malformed Lambda response with its own 500.
    throw new Error(`malformed Lambda proxy response: statusCode ${String(statusCode)}`);
  }
  const headers: Record<string, string | string[]> = {};
  if (typeof result.headers === 'object' && result.headers !== null) {
    for (const [name, value] of Object.entries(result.headers)) {
      const lowerName = name.toLowerCase();
      // The gateway frames the response itself; a length from the function would only be able to break it.
      if (lowerName === 'content-length' || lowerName === 'transfer-encoding') continue;
      headers[lowerName] = String(value);
    }
  }
  if (Array.isArray(result.cookies) && result.cookies.length > 0) {
    headers['set-cookie'] = result.cookies.map(String);
  }
  const text = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
  return { status: statusCode, headers, body };
}
