/** A labelled password input. */
export function Secret(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  autoFocus?: boolean;
  fresh?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.fresh ? 'new-password' : 'current-password'}
        data-autofocus={props.autoFocus ? true : undefined}
      />
    </div>
  );
}
