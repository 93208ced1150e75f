/** Cancel and the dialog's action, the action disabled while it runs. */
export function DialogButtons(props: {
  onCancel: () => void;
  onConfirm: () => void;
  busy: boolean;
  label: string;
  danger?: boolean;
}) {
  return (
    <>
      <button type="button" className="btn" onClick={props.onCancel}>
        Cancel
      </button>
      <button
        type="button"
        className={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`}
        disabled={props.busy}
        onClick={props.onConfirm}
      >
        {props.label}
      </button>
    </>
  );
}
