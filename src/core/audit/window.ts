/**
 * The compromise window (the playbook: "How long was the compromised model in production? —
 * Deployment logs, version history — Defines the investigation time window").
 *
 * A window is half-open, [start, end): a record at exactly `end` is outside. It is set either by hand
 * (`--from`, `--to`) or from deployment records in the evidence (`--from-deployments`), and stored
 * append-only with its source; the latest window is the current one. The authorized-tools policy,
 * when given, is stored with the window it applies to.
 *
 * Deployment records: JSON lines (or a JSON array) of events such as the demo's
 * `deployment/history.jsonl`: `{timestamp, event, model_version, …}` (also read: `time`/`at` for the
 * time, `action`/`type`/`status` for the event, `version`/`revision`/`image` for the version).
 * An event is a *deployment* when its name contains deploy, release, promote or rollout-start (but not
 * undeploy), and an *isolation* when it contains isolat, rollback, rolled back, undeploy, scale down,
 * swap, remove, disable or quarantine. The compromised version is the one named by `--version`, or
 * else the one deployed last before the last isolation event. The window starts at the first
 * deployment of that version (the last one before the isolation, when it was deployed several times)
 * and ends at the first later event that isolates it or deploys another version.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CaseStore } from '../store/workstation';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { appendAuditEvent } from './custody';
import { resolveLogEvidence, type StoredLog } from './evidence';
import { firstText, isObject } from './formats/common';
import { MAX_DOCUMENT_BYTES } from '../io/lines';
import type { DeploymentEvent, WindowSource } from '../../shared/audit';
import { policyFrom, loadedPolicy, type LoadedPolicy, type ToolPolicy } from './policy';
import { isoUtc, parseTimestamp } from './timestamps';

/** One deployment event as read from the evidence, and where a window came from (wire types). */
export type { DeploymentEvent, WindowSource };

export interface AuditWindow {
  id: number;
  startMs: number;
  endMs: number;
  start: string;
  end: string;
  source: WindowSource;
  policy: ToolPolicy | null;
  policySha256: string | null;
  actor: string;
  createdAt: string;
}

/** A window ready to be stored. */
export interface WindowSpec {
  startMs: number;
  endMs: number;
  source: WindowSource;
}

interface WindowRow {
  id: number;
  start_ms: number;
  end_ms: number;
  source: string;
  policy: string | null;
  policy_sha256: string | null;
  actor: string;
  created_at: string;
}

function toWindow(r: WindowRow): AuditWindow {
  return {
    id: r.id,
    startMs: r.start_ms,
    endMs: r.end_ms,
    start: isoUtc(r.start_ms),
    end: isoUtc(r.end_ms),
    source: JSON.parse(r.source) as WindowSource,
    policy: r.policy === null ? null : (JSON.parse(r.policy) as ToolPolicy),
    policySha256: r.policy_sha256,
    actor: r.actor,
    createdAt: r.created_at,
  };
}

/** The current (latest) window, or null when none was set. */
export function currentWindow(store: CaseStore): AuditWindow | null {
  const r = store.db.prepare('SELECT * FROM audit_windows ORDER BY id DESC LIMIT 1').get() as
    WindowRow | undefined;
  return r ? toWindow(r) : null;
}

/** A window by id. */
export function windowById(store: CaseStore, id: number): AuditWindow | null {
  const r = store.db.prepare('SELECT * FROM audit_windows WHERE id = ?').get(id) as WindowRow | undefined;
  return r ? toWindow(r) : null;
}

/** The current window; an error telling how to set one when there is none. */
export function requireWindow(store: CaseStore): AuditWindow {
  const w = currentWindow(store);
  if (!w) {
    throw new ProbityError(
      'usage',
      `${store.id}: no compromise window set; run probity audit window ${store.id} --from-deployments (or --from … --to …)`,
    );
  }
  return w;
}

function instant(value: string, flag: string): { ms: number; zoneless: boolean } {
  const t = parseTimestamp(value);
  if ('error' in t) throw new ProbityError('usage', `${flag} ${value}: ${t.error}`);
  return t;
}

/** A window from `--from` and `--to` (ISO 8601, or epoch seconds/ms; a time without zone is UTC). */
export function manualWindow(from: string, to: string): WindowSpec {
  const a = instant(from, '--from');
  const b = instant(to, '--to');
  if (b.ms <= a.ms) throw new ProbityError('usage', `--to ${to} must be after --from ${from}`);
  const zonelessInputs = [a.zoneless ? from : null, b.zoneless ? to : null].filter(
    (x): x is string => x !== null,
  );
  return {
    startMs: a.ms,
    endMs: b.ms,
    source: { kind: 'manual', from: isoUtc(a.ms), to: isoUtc(b.ms), zonelessInputs },
  };
}

/** Store a window (and the policy that goes with it) and record it in the custody log. */
export function setWindow(
  store: CaseStore,
  opts: { actor: string; spec: WindowSpec; policy?: LoadedPolicy | null },
): AuditWindow {
  const { spec } = opts;
  const policy = opts.policy ?? null;
  const at = utcNow();
  let id = 0;
  store.db.transaction(() => {
    id = Number(
      store.db
        .prepare(
          'INSERT INTO audit_windows (start_ms, end_ms, source, policy, policy_sha256, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          spec.startMs,
          spec.endMs,
          canonicalJson(spec.source),
          policy ? canonicalJson(policy.policy) : null,
          policy?.sha256 ?? null,
          opts.actor,
          at,
        ).lastInsertRowid,
    );
    appendAuditEvent(store.db, {
      actor: opts.actor,
      action: 'audit.window.set',
      subject: `window ${id}`,
      at,
      details: {
        windowId: id,
        start: isoUtc(spec.startMs),
        end: isoUtc(spec.endMs),
        source: spec.source,
        policySha256: policy?.sha256 ?? null,
        policyFile: policy?.file ?? null,
      },
    });
  })();
  const w = windowById(store, id);
  if (!w) throw new ProbityError('internal', `${store.id}: window ${id} vanished`);
  return w;
}

/** The policy stored with a window, with its digest, or null. */
export function windowPolicy(w: AuditWindow): LoadedPolicy | null {
  return w.policy ? loadedPolicy(policyFrom(w.policy, `window ${w.id}`), null) : null;
}

// ---------------------------------------------------------------------------------------------
// Deployment records
// ---------------------------------------------------------------------------------------------

const DEPLOY = /deploy|release|promot|rollout[-_ ]?start/;
const ISOLATE =
  /isolat|rollback|rolled[-_ ]?back|undeploy|scale[-_ ]?(down|to[-_ ]?0)|swap|remov|disabl|quarantin/;

function kindOf(event: string): DeploymentEvent['kind'] {
  const e = event.toLowerCase();
  if (ISOLATE.test(e)) return 'isolate';
  return DEPLOY.test(e) ? 'deploy' : 'other';
}

function eventOf(v: unknown, line: number): DeploymentEvent | null {
  if (!isObject(v)) return null;
  const event = firstText(v.event, v.action, v.type, v.status);
  const t = parseTimestamp(v.timestamp ?? v.time ?? v.at);
  if (event === null || 'error' in t) return null;
  return {
    line,
    timestamp: isoUtc(t.ms),
    event,
    version: firstText(v.model_version, v.version, v.revision, v.image),
    kind: kindOf(event),
  };
}

/** The deployment events of a JSONL or JSON-array file, in time order. */
export function parseDeploymentRecords(text: string): DeploymentEvent[] {
  const events: DeploymentEvent[] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const list: unknown = JSON.parse(trimmed);
    if (Array.isArray(list))
      list.forEach((v, i) => {
        const e = eventOf(v, i + 1);
        if (e) events.push(e);
      });
  } else {
    text.split('\n').forEach((l, i) => {
      if (l.trim() === '') return;
      try {
        const e = eventOf(JSON.parse(l) as unknown, i + 1);
        if (e) events.push(e);
      } catch {
        // Not a record: deployment files may hold comments or other lines; they are not events.
      }
    });
  }
  return events.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.line - b.line);
}

function compromisedVersion(events: readonly DeploymentEvent[], label: string): string {
  const isolations = events.filter((e) => e.kind === 'isolate');
  const last = isolations[isolations.length - 1];
  if (!last)
    throw new ProbityError(
      'malformed',
      `${label}: no isolation event (isolated, rollback, undeploy…); give --version, or set the window with --from/--to`,
      { file: label },
    );
  const deploys = events.filter(
    (e) =>
      e.kind === 'deploy' && Date.parse(e.timestamp) <= Date.parse(last.timestamp) && e.line !== last.line,
  );
  const before = deploys[deploys.length - 1];
  if (!before?.version)
    throw new ProbityError(
      'malformed',
      `${label}: no deployment with a version before the isolation at ${last.timestamp}`,
      { file: label },
    );
  return before.version;
}

/**
 * The window a set of deployment events defines (see the module comment).
 * @throws ProbityError naming `label` when the events do not define one.
 */
export function windowFromDeployments(
  events: readonly DeploymentEvent[],
  label: string,
  version?: string,
): { version: string; start: DeploymentEvent; end: DeploymentEvent } {
  const v = version ?? compromisedVersion(events, label);
  const deploys = events.filter((e) => e.kind === 'deploy' && e.version === v);
  if (deploys.length === 0)
    throw new ProbityError('malformed', `${label}: no deployment of version ${v}`, { file: label });
  const isolationOf = (start: DeploymentEvent) =>
    events.find(
      (e) =>
        Date.parse(e.timestamp) > Date.parse(start.timestamp) &&
        (e.kind === 'isolate' || (e.kind === 'deploy' && e.version !== v)),
    );
  // The run of deployments of v that ends in an isolation: its first deployment starts the window.
  for (let i = deploys.length - 1; i >= 0; i--) {
    const end = isolationOf(deploys[i]!);
    if (!end) continue;
    let first = deploys[i]!;
    for (let j = i - 1; j >= 0 && isolationOf(deploys[j]!) === end; j--) first = deploys[j]!;
    return { version: v, start: first, end };
  }
  throw new ProbityError(
    'malformed',
    `${label}: version ${v} was deployed at ${deploys[0]!.timestamp} and never isolated per these records; set the end with --from/--to`,
    { file: label },
  );
}

function readSmall(log: StoredLog): string {
  if (log.size > MAX_DOCUMENT_BYTES)
    throw new ProbityError('malformed', `${log.path}: too large for deployment records (${log.size} bytes)`, {
      file: log.path,
    });
  return fs.readFileSync(log.objectPath, 'utf8');
}

/** Evidence that holds deployment events: JSON or JSONL named like deployment history. */
export function findDeploymentEvidence(store: CaseStore): { log: StoredLog; events: DeploymentEvent[] }[] {
  const rows = store.db
    .prepare(
      `SELECT id, path, sha256, size FROM evidence WHERE sha256 IS NOT NULL AND (path LIKE '%.jsonl' OR path LIKE '%.json')
       ORDER BY id`,
    )
    .all() as { id: number; path: string; sha256: string; size: number }[];
  const found: { log: StoredLog; events: DeploymentEvent[] }[] = [];
  for (const r of rows) {
    const lower = r.path.toLowerCase();
    if (!/deploy|history|rollout|release/.test(lower) || r.size > MAX_DOCUMENT_BYTES) continue;
    const log: StoredLog = {
      evidenceId: r.id,
      sha256: r.sha256,
      path: r.path,
      size: r.size,
      objectPath: store.objectPath(r.sha256),
      preserved: false,
    };
    const events = parseDeploymentRecords(readSmall(log));
    if (events.some((e) => e.kind === 'deploy') && !found.some((f) => f.log.sha256 === r.sha256))
      found.push({ log, events });
  }
  return found;
}

/**
 * A window from deployment records in the evidence: `ref` names a file (preserved first) or evidence
 * in the case; without it the case's evidence is searched for exactly one deployment history.
 */
export async function deploymentWindow(
  store: CaseStore,
  opts: { ref?: string; version?: string; actor: string; host: string },
): Promise<WindowSpec> {
  let log: StoredLog;
  let events: DeploymentEvent[];
  if (opts.ref !== undefined) {
    log = await resolveLogEvidence(store, opts.ref, opts);
    events = parseDeploymentRecords(readSmall(log));
  } else {
    const found = findDeploymentEvidence(store);
    if (found.length !== 1) {
      const names = found.map((f) => f.log.path).join(', ');
      throw new ProbityError(
        'usage',
        found.length === 0
          ? `${store.id}: no deployment records in the evidence; pass --deployments FILE`
          : `${store.id}: several deployment records (${names}); pass --deployments PATH`,
      );
    }
    ({ log, events } = found[0]!);
  }
  const label = path.posix.normalize(log.path);
  const w = windowFromDeployments(events, label, opts.version);
  return {
    startMs: Date.parse(w.start.timestamp),
    endMs: Date.parse(w.end.timestamp),
    source: {
      kind: 'deployments',
      evidencePath: log.path,
      sha256: log.sha256,
      version: w.version,
      start: w.start,
      end: w.end,
    },
  };
}
