/** A count of unread messages, read out with its meaning ("3 unread"); nothing when there are none. */
export function UnreadBadge({ count }: { count: number | undefined }) {
  if (count === undefined || count === 0) return null;
  return (
    <span class="badge" data-testid="unread">
      {count}
      <span class="visually-hidden"> unread</span>
    </span>
  );
}
