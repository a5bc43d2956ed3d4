//! The guardian's decisions on the child's friend requests.

use guardian_domain::{ApproveRequest, FriendRequest};
use reqwest::Method;

use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

impl ProviderClient {
    pub async fn approve_request(
        &self,
        child_id: &str,
        request_id: &str,
        pin: Option<&Secret>,
        trial_days: Option<u32>,
        idempotency_key: &str,
    ) -> Result<FriendRequest, ClientError> {
        let body = ApproveRequest { pin: pin.map(|p| p.expose().to_owned()), trial_days };
        let path = format!("/v1/children/{}/friend-requests/{}/approve", seg(child_id), seg(request_id));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    pub async fn deny_request(
        &self,
        child_id: &str,
        request_id: &str,
        idempotency_key: &str,
    ) -> Result<FriendRequest, ClientError> {
        let path = format!("/v1/children/{}/friend-requests/{}/deny", seg(child_id), seg(request_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }
}
