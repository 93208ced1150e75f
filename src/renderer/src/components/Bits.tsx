import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ManifestStatus } from '../../../shared/domain';
import { percent, shortHash } from '../format';

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'neutral';

export function Badge({
  tone,
  children,
  title,
  testId,
}: {
  tone: Tone;
  children: ReactNode;
  title?: string;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

const MANIFEST_TONE: Record<ManifestStatus, Tone> = {
  matched: 'ok',
  mismatched: 'bad',
  missing: 'warn',
  new: 'info',
  unlisted: 'neutral',
};

const MANIFEST_HINT: Record<ManifestStatus, string> = {
  matched: 'Listed in the bundle’s checksum file with this exact SHA-256',
  mismatched: 'Listed in the bundle’s checksum file with a DIFFERENT SHA-256',
  missing: 'Listed in the bundle’s checksum file but absent from the bundle',
  new: 'In the bundle but not listed in its checksum file',
  unlisted: 'No checksum file in the bundle covers this file',
};

export function ManifestBadge({
  status,
  expected,
}: {
  status: ManifestStatus | null;
  expected?: string | null;
}) {
  if (!status) return <span className="muted">—</span>;
  const hint =
    status === 'mismatched' && expected
      ? `${MANIFEST_HINT[status]}: listed ${expected}`
      : MANIFEST_HINT[status];
  return (
    <Badge tone={MANIFEST_TONE[status]} title={hint}>
      {status}
    </Badge>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label ?? 'Working'} />;
}

export function ProgressBar({
  done,
  total,
  label,
  testId,
  indeterminate,
}: {
  done: number;
  total: number;
  label: string;
  testId?: string;
  indeterminate?: boolean;
}) {
  const pct = percent(done, total);
  return (
    <div
      className={`progress${indeterminate ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : Math.round(pct)}
      data-testid={testId}
    >
      <div className="progress-fill" style={indeterminate ? undefined : { width: `${pct}%` }} />
    </div>
  );
}

export function ErrorPanel({
  title,
  message,
  onRetry,
  testId,
}: {
  title: string;
  message: string;
  onRetry?: () => void;
  testId?: string;
}) {
  return (
    <div className="panel panel-bad" role="alert" data-testid={testId}>
      <strong>{title}</strong>
      <p className="panel-message">{message}</p>
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Copy to the clipboard; falls back to selecting a hidden field and execCommand where the async API is unavailable. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission refused or not a secure context: try the older route.
  }
  try {
    const field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.className = 'offscreen';
    document.body.appendChild(field);
    field.select();
    const ok = document.execCommand('copy');
    field.remove();
    return ok;
  } catch {
    return false;
  }
}

export function CopyButton({ value, label, tabIndex }: { value: string; label: string; tabIndex?: number }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return (
    <button
      type="button"
      className={`btn btn-ghost btn-icon btn-copy copy-${state}`}
      aria-label={label}
      tabIndex={tabIndex}
      title={
        state === 'failed'
          ? 'Copy failed: select the text and copy it by hand'
          : state === 'copied'
            ? 'Copied'
            : label
      }
      onClick={(e) => {
        e.stopPropagation();
        void copyText(value).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => setState('idle'), 1600);
        });
      }}
    >
      {state === 'copied' ? <CheckIcon /> : state === 'failed' ? '!' : <CopyIcon />}
    </button>
  );
}

// Drawn inline: glyphs like ⧉ are missing from many system fonts, and nothing may be fetched.
function CopyIcon() {
  return (
    <svg width="13" height="13" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect
        x="5.5"
        y="5.5"
        width="8"
        height="9"
        rx="1.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
      <path
        d="M10.5 3.5V3a1.5 1.5 0 0 0-1.5-1.5H4A1.5 1.5 0 0 0 2.5 3v7A1.5 1.5 0 0 0 4 11.5h1.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
    </svg>
  );
}

function CheckIcon() {
  return (
    <svg width="13" height="13" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        d="M3 8.5l3.2 3.2L13 4.8"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** A SHA-256 shortened for the eye, with the whole value on hover and a copy button. */
export function Hash({
  value,
  copy = true,
  head,
  tail,
}: {
  value: string | null;
  copy?: boolean;
  head?: number;
  tail?: number;
}) {
  if (!value) return <span className="muted">—</span>;
  return (
    <span className="hash">
      <span className="mono" title={value} data-hash={value}>
        {shortHash(value, head, tail)}
      </span>
      {copy ? <CopyButton value={value} label="Copy SHA-256" /> : null}
    </span>
  );
}

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** A status sentence with a coloured mark: the chain line under headings (the badge says it in short). */
export function StatusLine({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }) {
  return (
    <p className={`status-line status-${tone}`} data-testid={testId}>
      <span className="status-dot" aria-hidden="true" />
      <span>{children}</span>
    </p>
  );
}

/** What a form's last submit did: the host's refusal (an alert) or what was recorded. */
export type FormNote = { tone: 'ok' | 'bad'; text: string } | null;

export function FormMessage({ message, testId }: { message: FormNote; testId?: string }) {
  if (!message) return null;
  return (
    <p
      className={message.tone === 'bad' ? 'field-error' : 'muted'}
      role={message.tone === 'bad' ? 'alert' : 'status'}
      data-testid={testId}
    >
      {message.text}
    </p>
  );
}
