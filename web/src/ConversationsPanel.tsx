import type { ChatApi, ConversationSummary } from '../../lib/client/index.ts';
import { OneFieldForm } from './OneFieldForm.tsx';
import { placeKey, samePlace } from './place.ts';
import { UnreadBadge } from './UnreadBadge.tsx';
import type { Chat } from './use-chat.ts';

interface Props {
  chat: Chat;
  api: ChatApi;
  me: string;
  attempt: (action: () => Promise<unknown>) => void;
}

function nameOf(conversation: ConversationSummary, me: string): string {
  if (conversation.title !== undefined) return conversation.title;
  const others = conversation.participants.filter((username) => username !== me);
  return others.length === 0 ? me : others.join(', ');
}

/** Direct and group conversations: open one (unread badges), open a direct one by username, create a group. */
export function ConversationsPanel({ chat, api, me, attempt }: Props) {
  const { state } = chat;
  const submitted = (event: Event, action: (data: FormData) => Promise<string>) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    attempt(async () => {
      const conversationId = await action(data);
      form.reset();
      await chat.reloadConversations();
      chat.open({ conversationId });
    });
  };
  const openDirect = (event: Event) =>
    submitted(
      event,
      async (data) =>
        (await api.openConversation(String(data.get('peer') ?? '').trim())).value.conversationId,
    );
  const createGroup = (event: Event) =>
    submitted(event, async (data) => {
      const participants = String(data.get('participants') ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const title = String(data.get('title') ?? '').trim();
      return (await api.createGroup(participants, title === '' ? undefined : title)).conversationId;
    });

  return (
    <section aria-labelledby="conversations-heading">
      <h2 id="conversations-heading">Conversations</h2>
      {state.conversations.length === 0 ? <p class="muted">None yet.</p> : null}
      <ul>
        {state.conversations.map((conversation) => (
          <li key={conversation.conversationId}>
            <button
              type="button"
              class="link"
              aria-current={samePlace(state.active, conversation) ? 'page' : undefined}
              onClick={() => chat.open({ conversationId: conversation.conversationId })}
            >
              {conversation.kind === 'group' ? 'Group: ' : ''}
              {nameOf(conversation, me)}
            </button>
            <UnreadBadge count={state.unread[placeKey(conversation)]} />
          </li>
        ))}
      </ul>
      <OneFieldForm
        formLabel="Message someone"
        id="direct-peer"
        name="peer"
        label="Message a user"
        button="Open"
        onSubmit={openDirect}
      />
      <form onSubmit={createGroup} aria-label="Create a group">
        <label for="group-participants">Group participants (comma-separated)</label>
        <input id="group-participants" name="participants" required />
        <label for="group-title">Group title (optional)</label>
        <input id="group-title" name="title" />
        <div>
          <button type="submit">Create group</button>
        </div>
      </form>
    </section>
  );
}
