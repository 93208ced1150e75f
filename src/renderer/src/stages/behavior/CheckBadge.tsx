import type { BehaviorCheckStatus } from '../../../../shared/behavior';
import { Badge, type Tone } from '../../components/Bits';

export const CHECK_TONE: Record<BehaviorCheckStatus, Tone> = {
  pass: 'ok',
  fail: 'bad',
  'not-analysed': 'warn',
};

export const CHECK_TEXT: Record<BehaviorCheckStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
};

export function CheckBadge({ status, testId }: { status: BehaviorCheckStatus; testId?: string }) {
  return (
    <Badge
      tone={CHECK_TONE[status]}
      testId={testId}
      title={status === 'not-analysed' ? 'No paired evidence for this check: this is not a pass' : undefined}
    >
      {CHECK_TEXT[status]}
    </Badge>
  );
}
