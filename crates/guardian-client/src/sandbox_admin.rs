//! The reference sandbox's admin endpoint that flow files use to move its clock (`sandbox serve
//! --admin`, loopback only). Not part of the provider API: a real provider has no such thing.

/// Moves the clock of the sandbox at `base_url` forward by `seconds`.
pub async fn advance_sandbox_clock(base_url: &str, seconds: i64) -> Result<(), String> {
    let response = reqwest::Client::new()
        .post(format!("{}/admin/clock/advance", base_url.trim_end_matches('/')))
        .json(&serde_json::json!({ "seconds": seconds }))
        .send()
        .await
        .map_err(|e| format!("could not move the provider's clock: {}", e.without_url()))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "the provider did not move its clock ({}): start the sandbox with --admin",
            response.status()
        ))
    }
}
