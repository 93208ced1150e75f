import type { IntegrityStatus } from '../../../../shared/integrity';
import { Badge, type Tone } from '../../components/Bits';

export const STATUS_TONE: Record<IntegrityStatus, Tone> = { pass: 'ok', fail: 'bad', 'not-analysed': 'warn' };

export const STATUS_TEXT: Record<IntegrityStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
};

export function StatusBadge({ status, testId }: { status: IntegrityStatus; testId?: string }) {
  return (
    <Badge
      tone={STATUS_TONE[status]}
      testId={testId}
      title={status === 'not-analysed' ? 'Nothing could be compared: this is not a pass' : undefined}
    >
      {STATUS_TEXT[status]}
    </Badge>
  );
}
