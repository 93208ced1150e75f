// Shapes shared by the archive readers (tar.ts, zip.ts), the byte streamer (source.ts) and the
// ingest orchestration that calls them. Types only: nothing here runs.

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface ArchiveEntry {
  path: string; // safe, normalized, relative POSIX path (no leading ./, no trailing /)
  rawNameHex: string | null; // hex of the original name bytes when they were not valid UTF-8 (else null)
  type: EntryType;
  size: number; // uncompressed size in bytes (0 for non-files)
  mtime: Date | null;
  linkTarget: string | null; // for symlink/hardlink, as stored (recorded, never followed)
  index: number; // 0-based order of the entry in the archive
}

/** How a worker thread reads an entry's bytes without the main thread touching them. */
export type EntrySource =
  /** Bytes stored as-is (tar member, zip "stored"). */
  | { kind: 'range'; file: string; offset: number; length: number }
  /** Zip deflate (method 8): `compressedLength` bytes at `offset` inflate to `length` bytes with this CRC-32. */
  | {
      kind: 'deflate';
      file: string;
      offset: number;
      compressedLength: number;
      length: number;
      crc32: number;
    };
