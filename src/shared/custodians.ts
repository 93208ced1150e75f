/**
 * Wire types of custodian keys as the app shows them (src/core/keys/custodians.ts keeps the keys).
 * A custodian is always named with the fingerprint of its current key: SHA-256 of the SPKI DER.
 */

export interface CustodianKeyView {
  fingerprint: string;
  created: string;
  status: 'active' | 'retired' | 'revoked';
  endedAt: string | null;
  reason: string | null;
}

export interface CustodianView {
  name: string;
  role: string;
  fingerprint: string;
  created: string;
  status: 'active' | 'revoked';
  keys: CustodianKeyView[];
  /** Public key only, learnt from an imported case. */
  external: boolean;
}

export interface CustodianList {
  custodians: CustodianView[];
  external: CustodianView[];
  /** Damaged key records or a broken custodian log, each naming its file. */
  problems: { file: string; reason: string }[];
}

export interface SignedCheckpointView {
  checkpoint: { caseId: string; lastSeq: number; lastHash: string; at: string };
  signature: string;
  signer: { name: string; fingerprint: string };
  /** seq of the checkpoint.signed custody event. */
  seq: number;
}
