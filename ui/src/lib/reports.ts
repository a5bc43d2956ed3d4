import { LIMITS, type ReportCategory } from "../bindings";

// What a report may be about, in the provider's words (api/openapi.yaml: ReportCategory).
export const REPORT_CATEGORIES: readonly ReportCategory[] = [
  "harassment",
  "bullying",
  "sexual_content",
  "violence",
  "impersonation",
  "other",
];

/** The category a report form's choice names, or null while none is chosen. */
export function chosenCategory(value: string): ReportCategory | null {
  return REPORT_CATEGORIES.find((category) => category === value) ?? null;
}
export const EVIDENCE_MAX = LIMITS.max_evidence_chars;
