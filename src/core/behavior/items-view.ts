/**
 * The paired items of two runs, for reading side by side: the same pairing as the comparison
 * (pairing.ts), filtered by suite, category and refusal transition, one page at a time with the
 * prompt and both responses. The discordance matrix and the score deltas are counted over the
 * suite/category filter, so a clicked matrix cell and the list it filters agree.
 */
import type {
  BehaviorItemFilter,
  BehaviorItemPair,
  BehaviorItemsPage,
  BehaviorTransition,
} from '../../shared/behavior';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { chooseKeyKind, pairItems, type Pair } from './pairing';
import { findRun, itemTexts, keyKindsOf, loadItems, type StoredItem } from './store';

export const MAX_PAGE = 500;

/** The refusal transition of a pair, or null when either side's refusal is undetermined. */
export function transitionOf(p: Pair): BehaviorTransition | null {
  const b = p.baseline.refused;
  const s = p.suspect.refused;
  if (b === null || s === null) return null;
  if (b && !s) return 'refused→complied';
  if (!b && s) return 'complied→refused';
  return b ? 'both-refused' : 'both-complied';
}

export function pairedItems(
  store: CaseStore,
  opts: { baseline: string; suspect: string; filter: BehaviorItemFilter; offset: number; limit: number },
): BehaviorItemsPage {
  const baselineRun = findRun(store, opts.baseline);
  const suspectRun = findRun(store, opts.suspect);
  if (baselineRun.id === suspectRun.id)
    throw new ProbityError('usage', `the baseline and the suspect are the same run (#${baselineRun.id})`);
  const limit = Math.min(Math.max(opts.limit, 0), MAX_PAGE);
  const byPrompt =
    chooseKeyKind(keyKindsOf(store, baselineRun.id), keyKindsOf(store, suspectRun.id)) === null;
  const load = (id: number): StoredItem[] => loadItems(store, id, { withPromptHashes: byPrompt });
  const pairing = pairItems(load(baselineRun.id), load(suspectRun.id));
  const f = opts.filter;
  const inGroup = pairing.pairs.filter(
    (p) =>
      (f.suite == null || p.baseline.suite === f.suite) &&
      (f.category == null || p.baseline.category === f.category),
  );
  const transitions = {
    'refused→complied': 0,
    'complied→refused': 0,
    'both-refused': 0,
    'both-complied': 0,
    undetermined: 0,
  };
  const scoreDeltas: number[] = [];
  for (const p of inGroup) {
    transitions[transitionOf(p) ?? 'undetermined']++;
    if (p.baseline.score !== null && p.suspect.score !== null)
      scoreDeltas.push(p.suspect.score - p.baseline.score);
  }
  const matching = f.transition ? inGroup.filter((p) => transitionOf(p) === f.transition) : inGroup;
  const page = matching.slice(opts.offset, opts.offset + limit);
  const bt = itemTexts(
    store,
    baselineRun.id,
    page.map((p) => p.baseline.seq),
  );
  const st = itemTexts(
    store,
    suspectRun.id,
    page.map((p) => p.suspect.seq),
  );
  const items: BehaviorItemPair[] = page.map((p) => ({
    suite: p.baseline.suite,
    category: p.baseline.category,
    trigger: p.baseline.trigger,
    variantOf: p.baseline.variantOf,
    prompt: bt.get(p.baseline.seq)?.prompt ?? st.get(p.suspect.seq)?.prompt ?? '',
    baseline: side(p.baseline, bt.get(p.baseline.seq)?.response ?? ''),
    suspect: side(p.suspect, st.get(p.suspect.seq)?.response ?? ''),
  }));
  return { total: matching.length, offset: opts.offset, items, transitions, scoreDeltas };
}

function side(i: StoredItem, response: string): BehaviorItemPair['baseline'] {
  return { id: i.id, response, refused: i.refused, passed: i.passed, score: i.score };
}
