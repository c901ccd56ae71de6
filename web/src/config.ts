/** Where the backend is: `/config.json`, written next to the page by whoever serves it (npm start, the CDK stack). */
export interface WebConfig {
  readonly httpApiUrl: string;
  readonly webSocketUrl: string;
}

/** Reads and checks `/config.json`; rejects with a message a person can act on. */
export async function loadConfig(): Promise<WebConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be read (HTTP ${response.status}).`);
  const config = (await response.json()) as Partial<Record<keyof WebConfig, unknown>>;
  if (typeof config.httpApiUrl !== 'string' || typeof config.webSocketUrl !== 'string') {
    throw new Error('config.json must hold "httpApiUrl" and "webSocketUrl".');
  }
  return { httpApiUrl: config.httpApiUrl, webSocketUrl: config.webSocketUrl };
}
