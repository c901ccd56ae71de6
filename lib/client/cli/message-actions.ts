/**
 * The chat window's commands on one message: `/reply`, `/edit`, `/delete`, `/react`. A message is named by how
 * far back it is on screen (`1` the last shown, `2` the one before) or by its id.
 */
import type { ChatApi, MessageTarget } from '../http.ts';
import type { Message, MessageDeletedFrame, MessageUpdatedFrame, ReactionFrame } from '../types.ts';
import { clean } from './output.ts';

/** The messages shown in the window, oldest first, to name them from a command. */
export class MessageLog {
  private readonly messages: Message[] = [];

  remember(message: Message): void {
    this.messages.push(message);
  }

  /** The message `ref` names: `1` the last one shown, `2` the one before…, or a message id. */
  find(ref: string): Message | undefined {
    if (/^\d{1,4}$/.test(ref)) return this.messages[this.messages.length - Number(ref)];
    return this.messages.find((message) => message.messageId === ref);
  }
}

/** What the commands on one message need of the chat window. */
export interface MessageActionWindow {
  readonly api: ChatApi;
  readonly place: MessageTarget;
  readonly log: MessageLog;
  print(line: string): void;
  printError(prefix: string, error: unknown): void;
  /** Sends a message that answers `replyTo`. */
  reply(text: string, replyTo: string): void;
}

export const MESSAGE_ACTIONS_HELP = [
  '  /reply <n|id> <text>   answer a message (1 is the last shown, 2 the one before…)',
  '  /edit <n|id> <text>    change the text of one of your messages',
  '  /delete <n|id>         delete one of your messages (owners and moderators: any in a room)',
  '  /react [n|id] <emoji>  react to a message (the last one without n); /unreact takes it back',
];

/** Runs `/reply`, `/edit`, `/delete`, `/react` or `/unreact`; false when `name` is none of them. */
export async function runMessageAction(
  name: string,
  args: string,
  window: MessageActionWindow,
): Promise<boolean> {
  if (!['/reply', '/edit', '/delete', '/react', '/unreact'].includes(name)) return false;
  const [first = '', ...rest] = args.trim().split(/\s+/);
  // `/react 👍` names no message: the last one.
  const bareReaction = (name === '/react' || name === '/unreact') && rest.length === 0;
  const ref = bareReaction ? '1' : first;
  const message = window.log.find(ref);
  if (message === undefined || (bareReaction && first === '')) {
    window.print(`Usage:${MESSAGE_ACTIONS_HELP.map((line) => `\n${line}`).join('')}`);
    return true;
  }
  const text = args.trim().slice(first.length).trim();
  const { api, place } = window;
  try {
    if (name === '/reply') window.reply(text, message.messageId);
    else if (name === '/edit') await api.editMessage(place, message.messageId, text);
    else if (name === '/delete') await api.deleteMessage(place, message.messageId);
    else await api.react(place, message.messageId, bareReaction ? first : text, name === '/react');
  } catch (error) {
    window.printError(`${name.slice(1)} failed: `, error);
  }
  return true;
}

/** A frame about a change to a message. */
export type MessageChangeFrame = MessageUpdatedFrame | MessageDeletedFrame | ReactionFrame;

/** The line the window prints for a change to a message: `alice edited: new text`, `bob reacted 👍`. */
export function changeNotice(frame: MessageChangeFrame, log: MessageLog): string {
  if (frame.type === 'message_updated') return `${clean(frame.from)} edited: ${clean(frame.text)}`;
  const author = log.find(frame.messageId)?.from;
  const whose = author === undefined ? 'a message' : `a message of ${clean(author)}`;
  if (frame.type === 'message_deleted') return `${whose} was deleted`;
  return `${clean(frame.username)} ${frame.added ? 'reacted' : 'took back'} ${clean(frame.emoji)} to ${whose}`;
}
