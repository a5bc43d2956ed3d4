//! The change feed and the push stream that says when to read it.

use guardian_domain::{API_VERSION, ChangePage};
use reqwest::StatusCode;

use crate::{ClientError, ProviderClient};

impl ProviderClient {
    /// Listens to the provider's push stream (`GET /v1/events`), calling `on_event` with each
    /// event's name (`ready` once subscribed, then `changes` whenever changes are waiting).
    /// Returns when the stream ends; the caller reconnects.
    pub async fn watch_events(&self, mut on_event: impl FnMut(&str) + Send) -> Result<(), ClientError> {
        const MAX_LINE: usize = 64 * 1024;
        let token = self.access_token().await?;
        let mut response = self
            .stream_http
            .get(self.url("/v1/events"))
            .bearer_auth(token.expose())
            .header("Accept", "text/event-stream")
            .header("Guardian-Api-Version", API_VERSION)
            .send()
            .await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            // Refresh (or learn that the session is over); the caller reconnects.
            self.refresh_after_rejection(&token).await?;
            return Ok(());
        }
        if !response.status().is_success() {
            let status = response.status().as_u16();
            return Err(ClientError::Network(format!("the push stream answered {status}")));
        }
        let mut buffer = String::new();
        let mut event = String::new();
        while let Some(chunk) = response.chunk().await? {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            if buffer.len() > MAX_LINE {
                return Err(ClientError::TooLarge(MAX_LINE));
            }
            while let Some(end) = buffer.find('\n') {
                let line: String = buffer.drain(..=end).collect();
                let line = line.trim_end_matches(['\r', '\n']);
                if line.is_empty() {
                    if !event.is_empty() {
                        on_event(&event);
                        event.clear();
                    }
                } else if let Some(name) = line.strip_prefix("event:") {
                    name.trim().clone_into(&mut event);
                }
            }
        }
        Ok(())
    }

    /// One page of the change feed; no cursor starts with a full snapshot.
    pub async fn changes(&self, cursor: Option<&str>, limit: u32) -> Result<ChangePage, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        self.get_json("/v1/changes", &query).await
    }
}
