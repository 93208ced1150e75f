import type { EvidenceItem } from '../../../../shared/domain';

export function matches(item: EvidenceItem, q: { text: string; hex: string | null }): boolean {
  if (!q.text) return true;
  if (q.hex && (item.sha256?.includes(q.hex) || item.manifestExpected?.toLowerCase().includes(q.hex)))
    return true;
  return (
    item.path.toLowerCase().includes(q.text) || (item.linkTarget?.toLowerCase().includes(q.text) ?? false)
  );
}
