/** The alert region: always in the page (so that screen readers announce what appears in it), empty when fine. */
export function ErrorRegion({ message, onDismiss }: { message: string; onDismiss: () => void }) {
  return (
    <div role="alert" class="alert" aria-atomic="true">
      {message === '' ? null : (
        <>
          {message}{' '}
          <button type="button" class="secondary" onClick={onDismiss}>
            Dismiss
          </button>
        </>
      )}
    </div>
  );
}
