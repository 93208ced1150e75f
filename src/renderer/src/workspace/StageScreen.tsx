import { lazy } from 'react';
import type { Stage } from '../store';
import { CustodyLog } from '../stages/custody/CustodyLog';
import { EvidenceScreen } from '../stages/evidence/EvidenceScreen';
import { Overview } from '../stages/overview/Overview';
import { Lazy } from './Lazy';

// The charts library and the heavier stages load when first opened, not with the first page.
export const IntegrityScreen = lazy(() =>
  import('../stages/integrity/IntegrityScreen').then((m) => ({ default: m.IntegrityScreen })),
);

export const BehaviorScreen = lazy(() =>
  import('../stages/behavior/BehaviorScreen').then((m) => ({ default: m.BehaviorScreen })),
);

export const AuditScreen = lazy(() =>
  import('../stages/audit/AuditScreen').then((m) => ({ default: m.AuditScreen })),
);

export const PostMortemScreen = lazy(() =>
  import('../stages/postmortem/PostMortemScreen').then((m) => ({ default: m.PostMortemScreen })),
);

export function StageScreen({
  stage,
  caseId,
  selection = null,
}: {
  stage: Stage;
  caseId: string;
  /** What the address selects in the stage (an evidence path). */
  selection?: string | null;
}) {
  switch (stage) {
    case 'overview':
      return <Overview caseId={caseId} />;
    case 'evidence':
      return <EvidenceScreen caseId={caseId} selection={selection} />;
    case 'integrity':
      return (
        <Lazy>
          <IntegrityScreen caseId={caseId} />
        </Lazy>
      );
    case 'behavior':
      return (
        <Lazy>
          <BehaviorScreen caseId={caseId} />
        </Lazy>
      );
    case 'audit':
      return (
        <Lazy>
          <AuditScreen caseId={caseId} />
        </Lazy>
      );
    case 'postmortem':
      return (
        <Lazy>
          <PostMortemScreen caseId={caseId} />
        </Lazy>
      );
    case 'custody':
      return <CustodyLog caseId={caseId} />;
  }
}
