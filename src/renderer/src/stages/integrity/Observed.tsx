import { Badge, type Tone } from '../../components/Bits';

export function Observed({
  value,
  hash,
}: {
  value: 'matched' | 'mismatched' | 'missing';
  hash: string | null;
}) {
  const tone: Tone = value === 'matched' ? 'ok' : value === 'mismatched' ? 'bad' : 'warn';
  return (
    <Badge tone={tone} title={hash ?? 'no such file'}>
      {value}
    </Badge>
  );
}
