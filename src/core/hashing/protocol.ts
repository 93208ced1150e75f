import type { ArchiveEntry, EntrySource } from '../io/archive/types';

/**
 * Messages between the hashing pool (main side) and its worker threads. Every request carries a
 * `seq`; every reply echoes it, so replies are matched to requests without guessing.
 */
export type ObjectSource =
  | {
      kind: 'file';
      path: string;
      /** The name's raw bytes when they are not valid UTF-8 (the string form is escaped). */
      pathBytes: Uint8Array | null;
      expectSize: number;
      expectMtimeMs: number;
    }
  | EntrySource;

export interface StoreRequest {
  type: 'store';
  seq: number;
  /** Name shown in errors and progress: the path inside the bundle. */
  label: string;
  source: ObjectSource;
  tmpDir: string;
  objectsDir: string;
  /** From the resume journal: if this object is already stored, only hash the source to confirm it. */
  hint: { sha256: string; size: number } | null;
  chunkSize: number;
}

export interface HashRequest {
  type: 'hash';
  seq: number;
  label: string;
  file: string;
  chunkSize: number;
}

export interface StoreTarGzRequest {
  type: 'store-tgz';
  seq: number;
  archive: string;
  tmpDir: string;
  objectsDir: string;
  /** Resume hints by entry index. */
  hints: Record<number, { sha256: string; size: number }>;
  chunkSize: number;
}

export type WorkerRequest = StoreRequest | HashRequest | StoreTarGzRequest;

export interface StoredObject {
  sha256: string;
  size: number;
  /** True when the bytes were already in the store and nothing was written. */
  reused: boolean;
  /** First bytes of the content, for classifying the evidence kind without a second read. */
  head: Uint8Array;
}

export type WorkerReply =
  | { type: 'progress'; seq: number; label: string; bytes: number; total: number }
  | { type: 'stored'; seq: number; object: StoredObject }
  | { type: 'hashed'; seq: number; sha256: string; size: number }
  | { type: 'tgz-entry'; seq: number; entry: ArchiveEntry; object: StoredObject | null }
  | { type: 'tgz-done'; seq: number }
  | { type: 'error'; seq: number; code: string; message: string; file: string | null };

export const HEAD_BYTES = 4096;
