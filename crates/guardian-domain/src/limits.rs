//! The limits on what a guardian enters, in one place: the provider (the sandbox) enforces them,
//! the engine checks them before sending, and the app reads them from its generated bindings
//! (`LIMITS`), so no layer copies a number by hand.

/// Digits of a child's parental PIN.
pub const PIN_DIGITS: usize = 4;
/// Digits of a code sent by SMS.
pub const SMS_CODE_DIGITS: usize = 6;
/// Characters of a report's evidence, in the guardian's words.
pub const MAX_EVIDENCE_CHARS: usize = 2000;
/// Pictures attached to a report.
pub const MAX_EVIDENCE_IMAGES: usize = 3;
/// Bytes of one picture attached to a report.
pub const MAX_EVIDENCE_IMAGE_BYTES: usize = 16 * 1024;
/// Characters of what a rights request asks for.
pub const MAX_REQUEST_DETAILS_CHARS: usize = 2000;
/// Days before a co-guardian's proposal to loosen a rule (or take a guardian off) takes effect,
/// unless another guardian vetoes it first.
pub const PROPOSAL_NOTICE_DAYS: i64 = 7;
