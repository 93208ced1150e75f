import type { ReactNode } from 'react';

/** One of the compare form's two run selects. */
export function RunPicker(props: {
  id: string;
  label: string;
  value: number | null;
  onChange: (run: number) => void;
  disabled: boolean;
  options: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(Number(e.target.value))}
        disabled={props.disabled}
      >
        {props.value === null ? <option value="">—</option> : null}
        {props.options}
      </select>
    </div>
  );
}
