import { num } from './format';

export function Card({
  label,
  inside,
  outside,
  testId,
}: {
  label: string;
  inside: number;
  outside: number;
  testId: string;
}) {
  return (
    <div className="audit-card" data-testid={testId}>
      <div className="audit-card-label">{label}</div>
      <div className="audit-card-value num">{num(inside)}</div>
      <div className="muted audit-card-sub">outside the window: {num(outside)}</div>
    </div>
  );
}
