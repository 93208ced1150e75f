import type { CaseStore, Workstation } from '../store/workstation';

/** Open a case for one call and close it whatever happens. */
export async function withOpenCase<T>(
  ws: Workstation,
  id: string,
  fn: (store: CaseStore) => T | Promise<T>,
): Promise<T> {
  const store = ws.openCase(id);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
