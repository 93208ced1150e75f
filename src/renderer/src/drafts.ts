/**
 * Form drafts kept per case in the window's session storage, so a reload (or a visit to another
 * stage) does not lose what was typed: a review note, a policy, a path. A draft is dropped once its
 * form is submitted. Session storage lives as long as the window; nothing is written to the case.
 */
import { useCallback, useState } from 'react';

const PREFIX = 'probity.draft.';

export function readDraft(key: string): string | null {
  try {
    return window.sessionStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

export function writeDraft(key: string, value: string | null): void {
  try {
    if (value === null) window.sessionStorage.removeItem(PREFIX + key);
    else window.sessionStorage.setItem(PREFIX + key, value);
  } catch {
    // Not kept (storage full or disabled): the form still works.
  }
}

/**
 * A text field's value backed by a draft under `key` (e.g. `AI-IR-2026-0001/audit-note/req-7`):
 * starts from the draft when there is one, else `initial`. `clear()` drops the draft and resets the
 * value to `initial`.
 */
export function useDraft(key: string, initial = ''): [string, (value: string) => void, () => void] {
  const [state, setState] = useState<{ key: string; value: string }>(() => ({
    key,
    value: readDraft(key) ?? initial,
  }));
  // A new key (another record, another case) starts from its own draft.
  const current = state.key === key ? state.value : (readDraft(key) ?? initial);
  const set = useCallback(
    (value: string) => {
      setState({ key, value });
      writeDraft(key, value === initial ? null : value);
    },
    [key, initial],
  );
  const clear = useCallback(() => {
    writeDraft(key, null);
    setState({ key, value: initial });
  }, [key, initial]);
  return [current, set, clear];
}
