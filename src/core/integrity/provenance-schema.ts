/**
 * The `probity.provenance/v1` record (documented in src/demo/provenance.ts, which writes it)
 * as a zod schema, so a record read from the evidence — JSON or YAML — is validated field by
 * field and a bad one is refused with the path of the first bad field.
 *
 * ```
 * { schema: "probity.provenance/v1", model: string,
 *   steps: [{ stage: "base-model" | "fine-tuning" | "post-processing" | "deployment",
 *             description, source?, performedBy, performedAt (ISO 8601),
 *             tools?: [{name, version}], inputs?: [{path, sha256}], outputs: [{path, sha256}],
 *             notes? }] }
 * ```
 */
import { z } from 'zod';
import { malformed } from '../formats/reader.ts';
import { parseConfigDocuments } from './serving-config.ts';

export const PROVENANCE_SCHEMA_ID = 'probity.provenance/v1';

export const PROVENANCE_STAGES = ['base-model', 'fine-tuning', 'post-processing', 'deployment'] as const;
export type ProvenanceStageName = (typeof PROVENANCE_STAGES)[number];

const sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a sha256 is 64 hex digits')
  .transform((s) => s.toLowerCase());

export const fileHashSchema = z.object({ path: z.string().min(1).max(4096), sha256 });

export const provenanceStepSchema = z.object({
  stage: z.enum(PROVENANCE_STAGES),
  description: z.string(),
  source: z.string().optional(),
  performedBy: z.string(),
  performedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'performedAt is an ISO 8601 time'),
  tools: z.array(z.object({ name: z.string(), version: z.string() })).optional(),
  inputs: z.array(fileHashSchema).optional(),
  outputs: z.array(fileHashSchema),
  notes: z.string().optional(),
});

export const provenanceRecordSchema = z.object({
  schema: z.literal(PROVENANCE_SCHEMA_ID),
  model: z.string(),
  steps: z.array(provenanceStepSchema).min(1, 'a provenance chain has at least one step'),
});

export type ProvenanceRecordV1 = z.infer<typeof provenanceRecordSchema>;
export type ProvenanceStepV1 = z.infer<typeof provenanceStepSchema>;

/** Does this parsed document claim to be a probity.provenance/v1 record? */
export function claimsProvenanceSchema(doc: unknown): boolean {
  return (
    typeof doc === 'object' && doc !== null && (doc as { schema?: unknown }).schema === PROVENANCE_SCHEMA_ID
  );
}

/** Parse JSON or YAML text as a provenance record; a malformed one names the first bad field. */
export function parseProvenanceRecord(text: string, label: string): ProvenanceRecordV1 {
  const docs = parseConfigDocuments(text, label);
  const doc = docs.find(claimsProvenanceSchema);
  if (doc === undefined) throw malformed(label, `no document with "schema": "${PROVENANCE_SCHEMA_ID}"`);
  const r = provenanceRecordSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw malformed(
      label,
      `provenance record: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}
