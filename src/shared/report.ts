/** Wire types of the post-mortem bundle as the app exports it (src/core/report). */

export const REPORT_FORMATS = ['html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportExportView {
  out: string;
  files: string[];
  manifestSha256: string;
  signer: { name: string; fingerprint: string } | null;
  chainHead: { lastSeq: number; lastHash: string };
  /** The bundle checked again right after writing, as `probity report verify` does. */
  verification: { ok: boolean; problems: string[]; filesChecked: number };
  /** The two commands that check the bundle without Probity (from VERIFY.txt). */
  commands: string[];
}
