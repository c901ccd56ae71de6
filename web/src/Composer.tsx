import { useRef, useState } from 'preact/hooks';
import { limits } from '../../lib/contract/limits.ts';

interface Props {
  label: string;
  /** Resolves true once sent; false when it was not (the error is the sender's to show), keeping the text. */
  onSend: (text: string) => Promise<boolean>;
  onTyping: () => void;
}

/** The message box: Enter sends; typing is announced to the others at most once per the contract's interval. */
export function Composer({ label, onSend, onTyping }: Props) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const lastTyping = useRef(0);

  const submit = async (event: Event) => {
    event.preventDefault();
    const message = text.trim();
    if (message === '') return;
    setSending(true);
    const sent = await onSend(message);
    setSending(false);
    if (sent) setText('');
  };
  const input = (event: Event) => {
    setText((event.currentTarget as HTMLInputElement).value);
    const now = Date.now();
    if (now - lastTyping.current >= limits.typingIntervalMs) {
      lastTyping.current = now;
      onTyping();
    }
  };

  return (
    <form class="inline" onSubmit={submit} aria-label="Send a message">
      <div class="grow">
        <label for="composer">{label}</label>
        <input
          id="composer"
          name="text"
          autoComplete="off"
          value={text}
          onInput={input}
          maxLength={limits.maxTextCharacters}
        />
      </div>
      <button type="submit" disabled={sending}>
        Send
      </button>
    </form>
  );
}
