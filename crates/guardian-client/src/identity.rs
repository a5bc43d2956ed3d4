//! Third-party sign-in and linking (the provider's side of the authorization-code flow).

use guardian_domain::{
    BindPhone, ErrorCode, IdentityAuthorization, IdentityAuthorize, IdentityCode, LinkedIdentity,
};
use reqwest::Method;

use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

/// How a third-party sign-in ended.
#[derive(Debug)]
pub enum IdentitySignIn {
    SignedIn,
    /// No account uses the identity yet: bind a phone number with this token.
    BindingRequired(Secret),
}

impl ProviderClient {
    /// Where to send the guardian's browser; `redirect_uri` is the app's loopback listener.
    pub async fn authorize_identity(
        &self,
        provider: &str,
        redirect_uri: &str,
        code_challenge: &str,
    ) -> Result<IdentityAuthorization, ClientError> {
        let body =
            IdentityAuthorize { redirect_uri: redirect_uri.into(), code_challenge: code_challenge.into() };
        let path = format!("/v1/auth/identities/{}/authorize", seg(provider));
        self.send(to_json(&body)?.attach(self.http.post(self.url(&path)))).await
    }

    /// Signs in with the code the third party sent back. On failure the stored session is untouched.
    pub async fn sign_in_identity(
        &self,
        provider: &str,
        code: &Secret,
        verifier: &Secret,
    ) -> Result<IdentitySignIn, ClientError> {
        let body = IdentityCode { code: code.expose().into(), code_verifier: verifier.expose().into() };
        let path = format!("/v1/auth/identities/{}/sign-in", seg(provider));
        match self.send(to_json(&body)?.attach(self.http.post(self.url(&path)))).await {
            Ok(tokens) => self.store_tokens(tokens).await.map(|()| IdentitySignIn::SignedIn),
            Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::PhoneBindingRequired => {
                let token = body.details["binding_token"].as_str().unwrap_or_default();
                Ok(IdentitySignIn::BindingRequired(Secret::new(token)))
            }
            Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                Err(ClientError::InvalidCredentials)
            }
            Err(other) => Err(other),
        }
    }

    /// Binds the phone number (proven by the SMS code) to the identity, and signs in.
    pub async fn bind_phone(
        &self,
        binding: &Secret,
        phone: &str,
        sms_code: &Secret,
    ) -> Result<(), ClientError> {
        let body = BindPhone {
            binding_token: binding.expose().into(),
            phone: phone.into(),
            sms_code: sms_code.expose().into(),
        };
        match self
            .send(to_json(&body)?.attach(self.http.post(self.url("/v1/auth/identities/bind-phone"))))
            .await
        {
            Ok(tokens) => self.store_tokens(tokens).await,
            Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                Err(ClientError::InvalidCredentials)
            }
            Err(other) => Err(other),
        }
    }

    pub async fn link_identity(
        &self,
        provider: &str,
        code: &Secret,
        verifier: &Secret,
        idempotency_key: &str,
    ) -> Result<Vec<LinkedIdentity>, ClientError> {
        let body = IdentityCode { code: code.expose().into(), code_verifier: verifier.expose().into() };
        let path = format!("/v1/guardian/identities/{}", seg(provider));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    pub async fn unlink_identity(
        &self,
        provider: &str,
        idempotency_key: &str,
    ) -> Result<Vec<LinkedIdentity>, ClientError> {
        let path = format!("/v1/guardian/identities/{}/unlink", seg(provider));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }
}
