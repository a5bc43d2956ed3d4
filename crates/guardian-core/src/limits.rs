//! The limits the front ends check input against, from the constants the provider enforces
//! (`guardian_domain`'s); the desktop app gets them as `LIMITS` in its generated bindings.

use serde::Serialize;

/// What a guardian may enter, as numbers a front end can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Limits {
    pub pin_digits: u32,
    pub sms_code_digits: u32,
    pub max_trial_days: u32,
    pub max_evidence_chars: u32,
    pub max_evidence_images: u32,
    pub max_evidence_image_bytes: u32,
    pub max_request_details_chars: u32,
    pub avatar_max_bytes: u32,
    pub avatar_min_side: u32,
    pub avatar_max_side: u32,
    pub max_activity_days: u32,
}

/// A limit as a front end's number (each is small; the conversion is checked by the test).
const fn n(value: usize) -> u32 {
    value as u32
}

pub const LIMITS: Limits = Limits {
    pin_digits: n(guardian_domain::PIN_DIGITS),
    sms_code_digits: n(guardian_domain::SMS_CODE_DIGITS),
    max_trial_days: guardian_domain::MAX_TRIAL_DAYS,
    max_evidence_chars: n(guardian_domain::MAX_EVIDENCE_CHARS),
    max_evidence_images: n(guardian_domain::MAX_EVIDENCE_IMAGES),
    max_evidence_image_bytes: n(guardian_domain::MAX_EVIDENCE_IMAGE_BYTES),
    max_request_details_chars: n(guardian_domain::MAX_REQUEST_DETAILS_CHARS),
    avatar_max_bytes: n(guardian_domain::AVATAR_MAX_BYTES),
    avatar_min_side: n(guardian_domain::AVATAR_MIN_SIDE),
    avatar_max_side: n(guardian_domain::AVATAR_MAX_SIDE),
    max_activity_days: crate::MAX_ACTIVITY_DAYS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_survives_the_conversion() {
        for (limit, value) in [
            (LIMITS.pin_digits, guardian_domain::PIN_DIGITS),
            (LIMITS.sms_code_digits, guardian_domain::SMS_CODE_DIGITS),
            (LIMITS.max_evidence_chars, guardian_domain::MAX_EVIDENCE_CHARS),
            (LIMITS.max_evidence_images, guardian_domain::MAX_EVIDENCE_IMAGES),
            (LIMITS.max_evidence_image_bytes, guardian_domain::MAX_EVIDENCE_IMAGE_BYTES),
            (LIMITS.max_request_details_chars, guardian_domain::MAX_REQUEST_DETAILS_CHARS),
            (LIMITS.avatar_max_bytes, guardian_domain::AVATAR_MAX_BYTES),
            (LIMITS.avatar_min_side, guardian_domain::AVATAR_MIN_SIDE),
            (LIMITS.avatar_max_side, guardian_domain::AVATAR_MAX_SIDE),
        ] {
            assert_eq!(usize::try_from(limit).ok(), Some(value));
        }
    }
}
