import type { CaseOverview } from '../../../../shared/domain';
import { StatusLine } from '../../components/Bits';
import { describeChain } from '../../chain';

export function ChainCard({ data }: { data: CaseOverview }) {
  const view = describeChain(data.chain);
  return (
    <div className={`card card-chain card-tone-${view.tone}`}>
      <h3>Custody chain</h3>
      <StatusLine tone={view.tone} testId="overview-chain-status">
        {view.line}
      </StatusLine>
      <dl className="facts">
        <dt>Head</dt>
        <dd>seq {data.chain.lastSeq}</dd>
        <dt>Head hash</dt>
        <dd className="mono break" title={data.chain.lastHash}>
          {data.chain.lastHash}
        </dd>
      </dl>
    </div>
  );
}
