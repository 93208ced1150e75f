import type { VerificationStatus } from '../../../../shared/incident';
import { Badge, type Tone } from '../../components/Bits';

export const V_TONE: Record<VerificationStatus, Tone> = { pass: 'ok', fail: 'bad', 'not-analysed': 'warn' };

export const V_TEXT: Record<VerificationStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
};

export function VBadge({ status, testId }: { status: VerificationStatus; testId?: string }) {
  return (
    <Badge
      tone={V_TONE[status]}
      testId={testId}
      title={status === 'not-analysed' ? 'No result to read: this is not a pass' : undefined}
    >
      {V_TEXT[status]}
    </Badge>
  );
}
