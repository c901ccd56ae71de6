import type { ChatApi } from '../../lib/client/index.ts';

interface Props {
  api: ChatApi;
  conversationId: string;
  attempt: (action: () => Promise<unknown>) => void;
  onLeft: () => void;
}

/** Leaving a conversation (a group; the server refuses it for a direct one, and says why). */
export function ConversationActions({ api, conversationId, attempt, onLeft }: Props) {
  const leave = () =>
    attempt(async () => {
      await api.leaveConversation(conversationId);
      onLeft();
    });
  return (
    <div class="actions">
      <button type="button" class="secondary" onClick={leave}>
        Leave conversation
      </button>
    </div>
  );
}
