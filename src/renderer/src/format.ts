// Display helpers. Sizes are binary (KiB/MiB/GiB) because custodians compare them with `ls -lh`
// and `du -h`; times are shown in UTC because custody records are kept in UTC.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function exactBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

export function humanRate(bytesPerSec: number): string {
  return `${humanBytes(Math.max(0, Math.round(bytesPerSec)))}/s`;
}

export function humanDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** `2025-11-25 20:12:03 UTC` */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function utcDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** First and last hex digits, enough to tell hashes apart at a glance; the full value goes in a title. */
export function shortHash(hex: string | null | undefined, head = 12, tail = 6): string {
  if (!hex) return '—';
  if (hex.length <= head + tail + 1) return hex;
  return `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}

export function percent(done: number, total: number): number {
  if (total <= 0) return done > 0 ? 100 : 0;
  return Math.max(0, Math.min(100, (done / total) * 100));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export const KIND_LABELS: Record<string, string> = {
  weights: 'Weights',
  adapter: 'Adapter',
  tokenizer: 'Tokenizer',
  'model-config': 'Model config',
  'serving-config': 'Serving config',
  'deployment-manifest': 'Deployment manifest',
  checksums: 'Checksums',
  provenance: 'Provenance',
  'training-log': 'Training log',
  'output-log': 'Output log',
  'eval-results': 'Eval results',
  link: 'Link',
  other: 'Other',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}
