/**
 * A typed client of the chat backend's public contract (PROTOCOL.md): `ChatApi` for the HTTP API,
 * `ChatSession` for the WebSocket API. It imports nothing from the server and no Node built-in: it runs in
 * browsers, React Native and Node >= 20 (README.md).
 */
export * from './errors.ts';
export * from './http.ts';
export { newClientMessageId } from './message-frame.ts';
export type { ReconnectOptions } from './reconnect-policy.ts';
export * from './session.ts';
export type * from './session-events.ts';
export type { TicketSource } from './session-options.ts';
export type { WebSocketConstructor, WebSocketLike } from './socket.ts';
export type * from './types.ts';
