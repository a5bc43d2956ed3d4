//! The child's profile picture: checked here as the provider checks it (so a wrong file gets a
//! clear message before anything is sent), uploaded, and kept in the encrypted cache so the app
//! shows it offline. The web view gets it as a `data:` URL (its CSP allows no other image source).

use base64::Engine as _;
use guardian_domain::{AvatarProblem, AvatarUpload, ErrorCode, avatar_type_of, check_avatar_bytes};
use guardian_store::subject_ref;

use crate::{CoreError, Engine};

/// A picture as the web view shows it.
pub(crate) fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!("data:{content_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn problem(problem: AvatarProblem) -> CoreError {
    CoreError::Invalid(match problem {
        AvatarProblem::TooLarge => "the picture is larger than 512 KiB: choose a smaller one".into(),
        AvatarProblem::Invalid(_, message) => message.into(),
    })
}

impl Engine {
    /// Uploads `bytes` (a PNG or JPEG) as the child's profile picture and caches it. If the
    /// profile changed elsewhere meanwhile, the picture is sent again on the latest version.
    pub async fn set_avatar(&self, child: &str, bytes: Vec<u8>) -> Result<(), CoreError> {
        let child = self.find_child(child).await?;
        let content_type = avatar_type_of(&bytes)
            .ok_or_else(|| CoreError::Invalid("the file is not a PNG or JPEG image".into()))?;
        let picture = check_avatar_bytes(bytes, content_type).map_err(problem)?;
        let upload = AvatarUpload {
            content_type: content_type.to_owned(),
            data: base64::engine::general_purpose::STANDARD.encode(&picture.bytes),
        };
        let key = || crate::decisions::idempotency_key("avatar");
        let version = self.cached_child(&child.id).await?.version;
        let mut result = self.client.upload_avatar(&child.id, &upload, &version, &key()).await;
        if matches!(&result, Err(e) if e.provider_code() == Some(ErrorCode::PreconditionFailed)) {
            self.sync().await?;
            let version = self.cached_child(&child.id).await?.version;
            result = self.client.upload_avatar(&child.id, &upload, &version, &key()).await;
        }
        let outcome = if result.is_ok() { "uploaded" } else { "refused" };
        self.audit("avatar_changed", &subject_ref("child", &child.id), outcome).await;
        result?;
        if let Err(error) = self.sync().await {
            tracing::info!(
                code = error.code(),
                "the picture is uploaded; the cache catches up at the next sync"
            );
        }
        Ok(())
    }

    /// Downloads the pictures the cache does not have yet. A picture that fails (the provider is
    /// gone, or what it sent is not a picture) is left for the next sync; it never fails one.
    pub(crate) async fn fetch_avatars(&self) -> Result<(), CoreError> {
        let store = self.store().await?;
        for (child_id, url) in store.avatars_to_fetch().await? {
            let fetched = match self.client.avatar(&child_id).await {
                Ok(avatar) => avatar,
                Err(error) => {
                    tracing::info!(code = ?error.provider_code(), "a profile picture could not be fetched");
                    continue;
                }
            };
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(fetched.data.as_bytes()) else {
                continue;
            };
            // A provider's answer is checked like a guardian's upload: only real pictures are shown.
            match check_avatar_bytes(bytes, &fetched.content_type) {
                Ok(picture) => {
                    store.save_avatar(&child_id, &url, &fetched.content_type, &picture.bytes).await?
                }
                Err(_) => tracing::warn!("the provider sent a profile picture that is not a PNG or JPEG"),
            }
        }
        Ok(())
    }

    /// The child's cached picture as a `data:` URL.
    pub(crate) async fn avatar_url(&self, child_id: &str) -> Result<Option<String>, CoreError> {
        let cached = self.store().await?.avatar(child_id).await?;
        Ok(cached.map(|(content_type, bytes)| data_url(&content_type, &bytes)))
    }
}
