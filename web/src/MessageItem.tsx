import type { Entry } from './use-history.ts';

interface Props {
  entry: Entry;
  canDelete: (from: string) => boolean;
  onDelete: (messageId: string) => void;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** One line of the log: a message (or its tombstone), or a notice such as "bob joined". */
export function MessageItem({ entry, canDelete, onDelete }: Props) {
  if (entry.kind === 'notice') return <li class="notice">{entry.text}</li>;
  const { message } = entry;
  return (
    <li data-message-id={message.messageId}>
      <span class="from">{message.from}</span>
      <time class="time" dateTime={message.sentAt}>
        {timeFormat.format(new Date(message.sentAt))}
      </time>
      <div>{message.deleted ? <em class="muted">message deleted</em> : message.text}</div>
      {!message.deleted && canDelete(message.from) ? (
        <div class="actions">
          <button
            type="button"
            class="secondary"
            aria-label={`Delete the message from ${message.from}`}
            onClick={() => onDelete(message.messageId)}
          >
            Delete
          </button>
        </div>
      ) : null}
    </li>
  );
}
