import { CopyButton } from '../../components/Bits';

export function Fingerprint({ value }: { value: string }) {
  return (
    <span className="hash">
      <span className="mono custodian-fp" data-hash={value}>
        {value.replace(/(.{16})/g, '$1 ').trim()}
      </span>
      <CopyButton value={value} label="Copy fingerprint" />
    </span>
  );
}
