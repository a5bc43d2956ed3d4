//! A child's profile picture (`PUT`/`GET /v1/children/{id}/avatar`) and who can find the child.
//! The picture travels as base64 in JSON, like every other body; the provider and the app check
//! it the same way (`check_avatar`).

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The largest picture the provider keeps, in bytes (before base64).
pub const AVATAR_MAX_BYTES: usize = 512 * 1024;
/// The smallest and largest width or height, in pixels.
pub const AVATAR_MIN_SIDE: usize = 32;
pub const AVATAR_MAX_SIDE: usize = 4096;
/// The picture types the provider accepts.
pub const AVATAR_TYPES: &[&str] = &["image/png", "image/jpeg"];

/// `PUT /v1/children/{id}/avatar` (with `If-Match` of the child's version).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvatarUpload {
    /// `image/png` or `image/jpeg`; it must match the picture itself.
    pub content_type: String,
    /// The picture, base64 (standard alphabet, padded).
    pub data: String,
}

/// `GET /v1/children/{id}/avatar`: the picture as the provider keeps it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Avatar {
    pub content_type: String,
    pub data: String,
    /// Lowercase hex SHA-256 of the picture's bytes.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

// Pictures are personal and large: Debug shows only the type.
impl fmt::Debug for AvatarUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvatarUpload").field("content_type", &self.content_type).finish_non_exhaustive()
    }
}

impl fmt::Debug for Avatar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Avatar").field("content_type", &self.content_type).finish_non_exhaustive()
    }
}

/// A picture that passed [`check_avatar`]: its bytes and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAvatar {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why a picture was refused: `(field, message)` for a validation error, or too large.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvatarProblem {
    TooLarge,
    Invalid(&'static str, &'static str),
}

/// Checks an upload as the provider does: a declared PNG or JPEG type, base64 that decodes, at
/// most [`AVATAR_MAX_BYTES`], a picture whose own header says the declared type, and sides
/// between [`AVATAR_MIN_SIDE`] and [`AVATAR_MAX_SIDE`] pixels.
pub fn check_avatar(upload: &AvatarUpload) -> Result<CheckedAvatar, AvatarProblem> {
    use AvatarProblem::Invalid;
    if !AVATAR_TYPES.contains(&upload.content_type.as_str()) {
        return Err(Invalid("content_type", "a profile picture is a PNG or JPEG image"));
    }
    // Base64 is 4 characters for every 3 bytes: refuse an oversized picture before decoding it.
    if upload.data.len() > AVATAR_MAX_BYTES.div_ceil(3) * 4 {
        return Err(AvatarProblem::TooLarge);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(upload.data.as_bytes())
        .map_err(|_| Invalid("data", "the picture is not valid base64"))?;
    check_avatar_bytes(bytes, &upload.content_type)
}

/// [`check_avatar`] on bytes already decoded (a file the guardian picked).
pub fn check_avatar_bytes(bytes: Vec<u8>, content_type: &str) -> Result<CheckedAvatar, AvatarProblem> {
    use AvatarProblem::Invalid;
    if bytes.len() > AVATAR_MAX_BYTES {
        return Err(AvatarProblem::TooLarge);
    }
    let found = match imagesize::image_type(&bytes) {
        Ok(imagesize::ImageType::Png) => "image/png",
        Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
        _ => return Err(Invalid("data", "the file is not a PNG or JPEG image")),
    };
    if found != content_type {
        return Err(Invalid("content_type", "the picture's type does not match the file"));
    }
    let size = imagesize::blob_size(&bytes).map_err(|_| Invalid("data", "the picture is damaged"))?;
    let sides = AVATAR_MIN_SIDE..=AVATAR_MAX_SIDE;
    if !sides.contains(&size.width) || !sides.contains(&size.height) {
        return Err(Invalid("data", "a profile picture is between 32 and 4096 pixels wide and high"));
    }
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(CheckedAvatar { bytes, width: side(size.width), height: side(size.height) })
}

/// The type of a picture file from its first bytes, if it is one the provider accepts.
pub fn avatar_type_of(bytes: &[u8]) -> Option<&'static str> {
    match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => Some("image/png"),
        Ok(imagesize::ImageType::Jpeg) => Some("image/jpeg"),
        _ => None,
    }
}

/// `GET /v1/children/{id}/public-profile`: what the child's contacts see — the name, the ID, the
/// picture and whether the child is online; never the country, gender or birthday (promise 3,
/// docs/policy-promises.md).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicProfile {
    pub id: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// A signed-in device of the child was seen in the last 5 minutes.
    pub online: bool,
}

impl fmt::Debug for PublicProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicProfile").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Who can find the child to send a friend request (every request still goes through the
/// child's approval mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Discoverability {
    /// Anyone who knows the child's ID or phone number.
    IdOrPhone,
    /// Only someone who knows the child's ID.
    #[default]
    IdOnly,
    /// No one: only the child can send a friend request.
    Nobody,
}

impl Discoverability {
    pub const ALL: [Self; 3] = [Self::IdOrPhone, Self::IdOnly, Self::Nobody];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdOrPhone => "id_or_phone",
            Self::IdOnly => "id_only",
            Self::Nobody => "nobody",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Whether going from `self` to `to` lets more people find the child (which, like any
    /// loosening of a protection, needs the guardian's PIN).
    pub fn widens_to(self, to: Self) -> bool {
        let reach = |d: Self| match d {
            Self::Nobody => 0,
            Self::IdOnly => 1,
            Self::IdOrPhone => 2,
        };
        reach(to) > reach(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid PNG of `w`×`h` (header only is enough for the checks; the rest is padding).
    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend_from_slice(&w.to_be_bytes());
        bytes.extend_from_slice(&h.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    fn upload(content_type: &str, bytes: &[u8]) -> AvatarUpload {
        AvatarUpload {
            content_type: content_type.into(),
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    #[test]
    fn pictures_are_checked_for_type_size_and_sides() {
        let ok = check_avatar(&upload("image/png", &png(256, 256))).expect("a 256 px PNG is fine");
        assert_eq!((ok.width, ok.height), (256, 256));
        let cases: [(AvatarUpload, AvatarProblem); 6] = [
            (upload("image/gif", &png(256, 256)), AvatarProblem::Invalid("content_type", "")),
            (upload("image/jpeg", &png(256, 256)), AvatarProblem::Invalid("content_type", "")),
            (upload("image/png", b"<svg onload=alert(1)>"), AvatarProblem::Invalid("data", "")),
            (upload("image/png", &png(8, 8)), AvatarProblem::Invalid("data", "")),
            (upload("image/png", &png(5000, 200)), AvatarProblem::Invalid("data", "")),
            (upload("image/png", &vec![0; AVATAR_MAX_BYTES + 1]), AvatarProblem::TooLarge),
        ];
        for (upload, expected) in cases {
            let got = check_avatar(&upload).expect_err("refused");
            match (&got, &expected) {
                (AvatarProblem::Invalid(field, _), AvatarProblem::Invalid(want, _)) => {
                    assert_eq!(field, want, "{upload:?}");
                }
                _ => assert_eq!(got, expected, "{upload:?}"),
            }
        }
        let bad = AvatarUpload { content_type: "image/png".into(), data: "not base64!".into() };
        assert_eq!(
            check_avatar(&bad),
            Err(AvatarProblem::Invalid("data", "the picture is not valid base64"))
        );
    }

    #[test]
    fn discoverability_round_trips_and_defaults_to_id_only() {
        for d in Discoverability::ALL {
            assert_eq!(Discoverability::parse(d.as_str()), Some(d));
            assert_eq!(serde_json::to_value(d).expect("json"), d.as_str());
        }
        assert_eq!(Discoverability::default(), Discoverability::IdOnly);
        assert_eq!(Discoverability::parse("everyone"), None);
    }
}
