import { LIMITS } from "../bindings";

// What a report may be about, in the provider's words (api/openapi.yaml: ReportCategory).
export const REPORT_CATEGORIES = ["harassment", "bullying", "sexual_content", "violence", "impersonation", "other"];
export const EVIDENCE_MAX = LIMITS.max_evidence_chars;
