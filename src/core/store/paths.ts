import path from 'node:path';

/** `objects/sha256/<first 2 hex>/<remaining 62 hex>`: the layout of every case's object store. */
export function objectPathIn(objectsDir: string, sha256: string): string {
  return path.join(objectsDir, sha256.slice(0, 2), sha256.slice(2));
}
