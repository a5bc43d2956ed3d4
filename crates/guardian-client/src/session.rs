//! The guardian's session: signing in and out, and the tokens kept in the keyring, refreshed
//! single-flight before they expire.

use chrono::{DateTime, Utc};
use guardian_domain::{
    ErrorCode, PasswordSignIn, RefreshRequest, SmsCodeRequest, SmsCodeSent, SmsSignIn, TokenResponse,
};
use serde::{Deserialize, Serialize};

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::client::{blocking, to_json};
use crate::{ClientError, ProviderClient, Secret};

/// Refresh this long before the access token expires.
const REFRESH_AHEAD: chrono::Duration = chrono::Duration::seconds(60);

/// The keyring entry that holds the session (both tokens), written as one value.
const SESSION_SECRET: &str = "session";

/// The session as kept in the keyring. Serialised only into a [`Secret`]; zeroed when dropped.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct StoredSession {
    access_token: String,
    #[zeroize(skip)]
    access_expires_at: DateTime<Utc>,
    refresh_token: String,
    guardian_id: String,
    /// The Idempotency-Key of a refresh sent but not answered: the retry carries it, so the
    /// provider knows the same client is asking again (not a stolen token used twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_key: Option<String>,
}

pub(crate) struct Session {
    access: Secret,
    expires_at: DateTime<Utc>,
    refresh: Secret,
    guardian_id: String,
    /// See [`StoredSession::refresh_key`].
    refresh_key: Option<String>,
}

impl Session {
    /// Takes the tokens (the emptied response is zeroed when dropped).
    pub(crate) fn from_tokens(mut tokens: TokenResponse, now: DateTime<Utc>) -> Self {
        Self {
            access: Secret::new(std::mem::take(&mut tokens.access_token)),
            expires_at: now + chrono::Duration::seconds(tokens.expires_in),
            refresh: Secret::new(std::mem::take(&mut tokens.refresh_token)),
            guardian_id: std::mem::take(&mut tokens.guardian_id),
            refresh_key: None,
        }
    }
}

impl From<StoredSession> for Session {
    fn from(mut s: StoredSession) -> Self {
        Self {
            access: Secret::new(std::mem::take(&mut s.access_token)),
            expires_at: s.access_expires_at,
            refresh: Secret::new(std::mem::take(&mut s.refresh_token)),
            guardian_id: std::mem::take(&mut s.guardian_id),
            refresh_key: s.refresh_key.take(),
        }
    }
}

/// A random 128-bit key in hex.
fn random_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ProviderClient {
    /// Loads a session kept in the keyring by an earlier run. Returns whether one was found.
    pub async fn restore_session(&self) -> Result<bool, ClientError> {
        let secrets = self.secrets.clone();
        let stored = blocking(move || secrets.get(SESSION_SECRET)).await?;
        let Some(stored) = stored else { return Ok(false) };
        let Ok(parsed) = serde_json::from_str::<StoredSession>(stored.expose()) else {
            tracing::warn!("stored session unreadable; a new sign-in is needed");
            return Ok(false);
        };
        *self.session.lock().await = Some(Session::from(parsed));
        Ok(true)
    }

    pub async fn is_signed_in(&self) -> bool {
        self.session.lock().await.is_some()
    }

    pub async fn guardian_id(&self) -> Option<String> {
        self.session.lock().await.as_ref().map(|s| s.guardian_id.clone())
    }

    /// Signs in with phone number and password. On failure the stored session is untouched.
    pub async fn sign_in_password(&self, phone: &str, password: &Secret) -> Result<(), ClientError> {
        let body = PasswordSignIn { phone: phone.to_owned(), password: password.expose().to_owned() };
        let request = to_json(&body)?.attach(self.http.post(self.url("/v1/auth/password")));
        let tokens: TokenResponse = match self.send(request).await {
            Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                return Err(ClientError::InvalidCredentials);
            }
            other => other?,
        };
        self.store_tokens(tokens).await
    }

    /// Asks the provider to send a sign-in code by SMS.
    pub async fn request_sms_code(&self, phone: &str) -> Result<SmsCodeSent, ClientError> {
        let body = SmsCodeRequest { phone: phone.to_owned() };
        self.send(to_json(&body)?.attach(self.http.post(self.url("/v1/auth/sms/request")))).await
    }

    /// Signs in with the code sent by SMS. On failure the stored session is untouched.
    pub async fn sign_in_sms(&self, phone: &str, code: &Secret) -> Result<(), ClientError> {
        let body = SmsSignIn { phone: phone.to_owned(), code: code.expose().to_owned() };
        let tokens: TokenResponse =
            match self.send(to_json(&body)?.attach(self.http.post(self.url("/v1/auth/sms/verify")))).await {
                Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                    return Err(ClientError::InvalidCredentials);
                }
                other => other?,
            };
        self.store_tokens(tokens).await
    }

    /// Ends the session at the provider (best effort) and removes the tokens from the keyring.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let access = self.session.lock().await.as_ref().map(|s| s.access.clone());
        if let Some(access) = access {
            let request = self.http.post(self.url("/v1/auth/sign-out")).bearer_auth(access.expose());
            if let Err(error) = self.send_raw(request).await {
                tracing::info!(%error, "provider sign-out failed; removing the local session anyway");
            }
        }
        self.forget_session().await
    }

    /// Forgets the session locally (keyring and memory).
    pub async fn forget_session(&self) -> Result<(), ClientError> {
        *self.session.lock().await = None;
        let secrets = self.secrets.clone();
        blocking(move || secrets.delete(SESSION_SECRET)).await
    }

    pub(crate) async fn access_token(&self) -> Result<Secret, ClientError> {
        let mut session = self.session.lock().await;
        let Some(current) = session.as_ref() else { return Err(ClientError::SignInRequired) };
        if current.expires_at - REFRESH_AHEAD > self.clock.now() {
            return Ok(current.access.clone());
        }
        let refresh = current.refresh.clone();
        self.refresh_locked(&mut session, &refresh).await
    }

    pub(crate) async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, ClientError> {
        let mut session = self.session.lock().await;
        let Some(current) = session.as_ref() else { return Err(ClientError::SignInRequired) };
        // Another caller refreshed while we waited for the lock: use its token.
        if current.access != *rejected {
            return Ok(current.access.clone());
        }
        let refresh = current.refresh.clone();
        self.refresh_locked(&mut session, &refresh).await
    }

    /// Runs with the session lock held, so concurrent callers wait for this one refresh.
    async fn refresh_locked(
        &self,
        session: &mut Option<Session>,
        refresh: &Secret,
    ) -> Result<Secret, ClientError> {
        // The key goes to the keyring before the refresh is sent: if its answer is lost, the next
        // try (in this process or the next) is known as a retry, and the session survives.
        let key = match session.as_mut() {
            Some(current) if current.refresh_key.is_none() => {
                current.refresh_key = Some(random_key());
                self.persist(current).await?;
                current.refresh_key.clone()
            }
            Some(current) => current.refresh_key.clone(),
            None => None,
        };
        let body = RefreshRequest { refresh_token: refresh.expose().to_owned() };
        let mut request = to_json(&body)?.attach(self.http.post(self.url("/v1/auth/refresh")));
        if let Some(key) = &key {
            request = request.header("Idempotency-Key", key);
        }
        match self.send::<TokenResponse>(request).await {
            Ok(tokens) => {
                let fresh = Session::from_tokens(tokens, self.clock.now());
                // The rotated refresh token is in the keyring before it is ever used.
                self.persist(&fresh).await?;
                let access = fresh.access.clone();
                *session = Some(fresh);
                Ok(access)
            }
            Err(ClientError::Provider { status: 401, .. }) => {
                *session = None;
                let secrets = self.secrets.clone();
                blocking(move || secrets.delete(SESSION_SECRET)).await?;
                Err(ClientError::SignInRequired)
            }
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn store_tokens(&self, tokens: TokenResponse) -> Result<(), ClientError> {
        let fresh = Session::from_tokens(tokens, self.clock.now());
        self.persist(&fresh).await?;
        *self.session.lock().await = Some(fresh);
        Ok(())
    }

    async fn persist(&self, session: &Session) -> Result<(), ClientError> {
        let stored = StoredSession {
            access_token: session.access.expose().to_owned(),
            access_expires_at: session.expires_at,
            refresh_token: session.refresh.expose().to_owned(),
            guardian_id: session.guardian_id.clone(),
            refresh_key: session.refresh_key.clone(),
        };
        let value =
            Secret::new(serde_json::to_string(&stored).map_err(|e| ClientError::Decode(e.to_string()))?);
        let secrets = self.secrets.clone();
        blocking(move || secrets.set(SESSION_SECRET, &value)).await
    }
}
