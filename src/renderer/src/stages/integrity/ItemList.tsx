import type { IntegrityItem } from '../../../../shared/integrity';
import { Badge, type Tone } from '../../components/Bits';

export const ITEM_LABEL: Record<IntegrityItem['status'], string> = {
  fail: 'FAIL',
  pass: 'ok',
  info: 'note',
  'not-analysed': 'not analysed',
};

export const ITEM_TONE: Record<IntegrityItem['status'], Tone> = {
  fail: 'bad',
  pass: 'ok',
  info: 'info',
  'not-analysed': 'warn',
};

export function ItemList({ title, items, tone }: { title: string; items: IntegrityItem[]; tone: Tone }) {
  return (
    <div className={`item-list item-list-${tone}`}>
      <h4>{title}</h4>
      <ul className="plain-list">
        {items.map((i, n) => (
          <li key={n} className="item-line">
            <Badge tone={ITEM_TONE[i.status]}>{ITEM_LABEL[i.status]}</Badge>
            <span className="item-summary">{i.summary}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
