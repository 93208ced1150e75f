import { useEffect, useState } from 'react';
import type { BehaviorComparison, BehaviorRun } from '../../../../shared/behavior';
import { api } from '../../api/client';
import { Spinner } from '../../components/Bits';
import type { ArgsOf } from '../../../../shared/contract';
import { RunPicker } from './RunPicker';

export const marginInRange = (margin: number): boolean => margin > 0 && margin < 1;

/** Why the form cannot compare yet (the first reason that applies), or null when it can. */
export function compareProblem(
  runCount: number,
  baseline: number | null,
  suspect: number | null,
  margin: number,
): string | null {
  if (runCount < 2) return 'Import two runs to compare.';
  if (baseline === null || suspect === null) return 'Pick the baseline and the suspect runs.';
  if (baseline === suspect) return 'The baseline and the suspect must be different runs.';
  if (!marginInRange(margin)) return 'The margin must be between 0 and 100.';
  return null;
}

export function CompareForm({
  caseId,
  runs,
  busy,
  onCompare,
  initial = null,
}: {
  /** A recorded comparison whose runs and options the form starts from. */
  initial?: BehaviorComparison | null;
  caseId: string;
  runs: BehaviorRun[];
  busy: boolean;
  /** Runs the comparison; the screen holds its result or its error. */
  onCompare: (args: ArgsOf<'behavior:compare'>) => Promise<void>;
}) {
  const [baseline, setBaseline] = useState<number | null>(initial?.baseline.id ?? null);
  const [suspect, setSuspect] = useState<number | null>(initial?.suspect.id ?? null);
  const [margin, setMargin] = useState(
    initial ? String(Math.round(initial.options.margin * 10000) / 100) : '5',
  );
  const [marginKind, setMarginKind] = useState<'points' | 'relative'>(
    initial?.options.marginKind ?? 'points',
  );
  const [confidence, setConfidence] = useState(initial ? String(initial.options.confidence) : '0.95');
  const [defaultPhrases, setDefaultPhrases] = useState<string | null>(null);
  const [phrases, setPhrases] = useState('');
  useEffect(() => {
    api.refusalPhrases().then(
      (r) => {
        const text = r.phrases.join('\n');
        setDefaultPhrases(text);
        setPhrases((p) => (p === '' ? text : p));
      },
      () => setDefaultPhrases(null),
    );
  }, []);
  const phrasesEdited = defaultPhrases !== null && phrases.trim() !== defaultPhrases.trim();
  const b = baseline ?? runs.find((r) => r.role === 'baseline')?.id ?? null;
  const s = suspect ?? runs.find((r) => r.role === 'suspect')?.id ?? null;
  const marginNumber = Number(margin) / 100;
  const marginBad = !marginInRange(marginNumber);
  const problem = compareProblem(runs.length, b, s, marginNumber);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (problem || b === null || s === null) return;
    void onCompare({
      caseId,
      baseline: `#${b}`,
      suspect: `#${s}`,
      margin: marginNumber,
      marginKind,
      confidence: Number(confidence),
      refusalPhrases: phrasesEdited ? phrases : null,
    });
  };

  const runOptions = runs.map((r) => (
    <option key={r.id} value={r.id}>
      #{r.id} · {r.label} ({r.role})
    </option>
  ));
  return (
    <form
      className="toolbar behavior-compare"
      onSubmit={submit}
      noValidate
      aria-label="Compare two runs"
      data-testid="behavior-compare-form"
    >
      <RunPicker
        id="behavior-baseline"
        label="Baseline run"
        value={b}
        onChange={setBaseline}
        disabled={busy || runs.length === 0}
        options={runOptions}
      />
      <RunPicker
        id="behavior-suspect"
        label="Suspect run"
        value={s}
        onChange={setSuspect}
        disabled={busy || runs.length === 0}
        options={runOptions}
      />
      <div className="field behavior-narrow">
        <label htmlFor="behavior-margin">Margin</label>
        <input
          id="behavior-margin"
          type="number"
          min="0.1"
          max="99"
          step="any"
          value={margin}
          onChange={(e) => setMargin(e.target.value)}
          aria-invalid={marginBad}
          aria-describedby="behavior-margin-unit"
          disabled={busy}
        />
        <span id="behavior-margin-unit" className="behavior-unit">
          {marginKind === 'points' ? 'points' : '% of baseline'}
        </span>
      </div>
      <div className="field">
        <label htmlFor="behavior-margin-kind">Margin kind</label>
        <select
          id="behavior-margin-kind"
          value={marginKind}
          onChange={(e) => setMarginKind(e.target.value as 'points' | 'relative')}
          disabled={busy}
        >
          <option value="points">points (absolute)</option>
          <option value="relative">% of the baseline rate</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="behavior-confidence">Confidence</label>
        <select
          id="behavior-confidence"
          value={confidence}
          onChange={(e) => setConfidence(e.target.value)}
          disabled={busy}
        >
          <option value="0.9">90%</option>
          <option value="0.95">95%</option>
          <option value="0.99">99%</option>
        </select>
      </div>
      <button
        type="submit"
        className="btn btn-primary behavior-row-button"
        disabled={busy || problem !== null}
      >
        {busy ? (
          <>
            <Spinner label="Comparing" /> Comparing…
          </>
        ) : (
          'Compare runs'
        )}
      </button>
      {problem && runs.length > 0 ? <span className="muted behavior-row-note">{problem}</span> : null}
      <details className="behavior-phrases">
        <summary>
          Refusal phrases
          {phrasesEdited ? ' (edited: heuristic refusals are re-decided with this list)' : ' (default)'}
        </summary>
        <div className="field">
          <label htmlFor="behavior-phrases">
            One phrase per line, matched in the opening of each response; lines starting with # are comments.
            Labelled refusals always stand.
          </label>
          <textarea
            id="behavior-phrases"
            className="mono-input behavior-phrases-text"
            rows={8}
            value={phrases}
            onChange={(e) => setPhrases(e.target.value)}
            spellCheck={false}
            disabled={busy}
          />
        </div>
        {phrasesEdited ? (
          <button type="button" className="btn btn-small" onClick={() => setPhrases(defaultPhrases ?? '')}>
            Back to the default list
          </button>
        ) : null}
      </details>
    </form>
  );
}
