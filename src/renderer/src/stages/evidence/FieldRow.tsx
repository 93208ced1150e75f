export function FieldRow({ label, value, flag }: { label: string; value: string; flag?: boolean }) {
  return (
    <>
      <dt>{label.charAt(0).toUpperCase() + label.slice(1)}</dt>
      <dd className={flag ? 'text-bad' : undefined}>
        {flag ? <span aria-label="flagged">⚠ </span> : null}
        {value}
      </dd>
    </>
  );
}
