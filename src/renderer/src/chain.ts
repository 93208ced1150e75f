import type { ChainStatus } from '../../shared/domain';
import type { Tone } from './components/Bits';
import { plural, utc } from './format';

export interface ChainView {
  tone: Tone;
  badge: string;
  line: string;
}

/** One wording of the custody chain's state, used by the header badge, the overview and the log. */
export function describeChain(chain: ChainStatus): ChainView {
  const v = chain.lastVerification;
  if (!v) {
    return {
      tone: 'neutral',
      badge: 'Chain never verified',
      line: `Never verified · ${plural(chain.lastSeq, 'event')} recorded (head seq ${chain.lastSeq})`,
    };
  }
  if (!v.ok) {
    return {
      tone: 'bad',
      badge: 'Verification FAILED',
      line: `Verification FAILED at ${utc(v.at)}: ${plural(v.problems, 'problem')}`,
    };
  }
  // A verification records itself as the event right after the last one it checked (verify.run);
  // only events after that one are unverified.
  const since = Math.max(0, chain.lastSeq - v.throughSeq - 1);
  return {
    tone: since > 0 ? 'info' : 'ok',
    badge: since > 0 ? `Verified through seq ${v.throughSeq}` : 'Chain verified',
    line: `Verified through seq ${v.throughSeq} at ${utc(v.at)}${since > 0 ? ` · ${plural(since, 'event')} recorded since` : ''}`,
  };
}
