/** A form of one required text field and its button on one line (open a conversation, invite someone). */
export function OneFieldForm(props: {
  /** The form's accessible name. */
  readonly formLabel: string;
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly button: string;
  readonly onSubmit: (event: Event) => void;
}) {
  return (
    <form class="inline" onSubmit={props.onSubmit} aria-label={props.formLabel}>
      <div>
        <label for={props.id}>{props.label}</label>
        <input id={props.id} name={props.name} required size={12} />
      </div>
      <button type="submit">{props.button}</button>
    </form>
  );
}
