export function CompromiseMark() {
  return (
    <p className="prov-mark" role="note">
      <span aria-hidden="true">⚑</span> Compromise point
    </p>
  );
}
