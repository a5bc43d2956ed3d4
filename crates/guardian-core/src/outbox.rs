//! The outbox and the sync: every decision (friend_requests.rs, contacts.rs) is kept in the
//! encrypted cache first, then sent by the sync, which also brings the provider's changes in,
//! and answered — accepted, refused with the provider's reasons, or waiting for a later try.

use std::collections::HashSet;

use guardian_client::ClientError;
use guardian_domain::{Change, ErrorCode};
use guardian_store::{OutboxRow, OutboxState};
use rand::Rng as _;

use crate::decisions::{Decision, DecisionKind};
use crate::engine::LAST_SYNCED;
use crate::refusal::Refusal;
use crate::sync::{Step, plan, retry_delay};
use crate::views::{DecisionOutcome, OutcomeState, PendingDecision, PendingState};
use crate::{ChildSummary, CoreError, Engine, Secret};

/// Feed page size: large enough that a big family bootstraps in few round trips.
const FEED_PAGE: u32 = 200;

/// How sending one queued decision ended.
enum Sent {
    Done,
    /// Try again later: the provider could not be used (offline, 5xx, 429, unreadable answer).
    Later(ClientError),
    /// Refused for good: a stable code (the provider's, or the engine's when it never got
    /// there), the provider's facts when it answered, and the words.
    Refused {
        reason: String,
        refusal: Option<Refusal>,
        message: String,
    },
}

/// The provider's refusal of a decision, as the cache kept it.
fn kept_refusal(row: &OutboxRow, now: chrono::DateTime<chrono::Utc>) -> Option<Refusal> {
    let kept = row.refusal.as_deref()?;
    Some(Refusal::from_kept(row.reason.as_deref().unwrap_or_default(), Some(kept), now))
}

/// Whether the provider refused a decision (for recordings).
pub(crate) fn refused(outcome: &DecisionOutcome) -> bool {
    outcome.state == OutcomeState::Refused
}

impl Engine {
    /// Sends the decisions that are due, then brings the cache up to date from the change feed.
    /// When the provider cannot be used (for any reason: offline, 5xx, 429, a garbled or
    /// oversized answer), nothing is lost: decisions stay queued for their next try, the cache
    /// keeps what it has, and the error says why.
    pub async fn sync(&self) -> Result<(), CoreError> {
        self.sync_due(false).await
    }

    /// As [`Engine::sync`], but sends every queued decision now, without waiting out the
    /// delay before its next try (the guardian asked for it).
    pub async fn sync_now(&self) -> Result<(), CoreError> {
        self.sync_due(true).await
    }

    async fn sync_due(&self, everything_due: bool) -> Result<(), CoreError> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let result = self.sync_inner(everything_due).await;
        match &result {
            Ok(()) => *self.unavailable.lock().await = None,
            Err(error) => {
                if let Some(why) = error.unavailable() {
                    *self.unavailable.lock().await = Some(why);
                }
                if matches!(error, CoreError::Client(ClientError::SignInRequired)) {
                    self.lock_cache().await;
                }
            }
        }
        result
    }

    async fn sync_inner(&self, everything_due: bool) -> Result<(), CoreError> {
        let Some(guardian_id) = self.client.guardian_id().await else {
            return Err(ClientError::SignInRequired.into());
        };
        let store = self.store().await?;
        let outbox = store.outbox().await?;
        let cursor = store.feed_cursor().await?;
        let mut held_children: HashSet<Option<String>> = HashSet::new();
        let mut first_transient: Option<ClientError> = None;
        let now = self.clock.now();
        let plan_time = if everything_due { chrono::DateTime::<chrono::Utc>::MAX_UTC } else { now };
        for step in plan(&outbox, cursor.as_deref(), plan_time) {
            match step {
                Step::Send { seq } => {
                    let Some(row) = outbox.iter().find(|r| r.seq == seq) else { continue };
                    if held_children.contains(&row.child_id) {
                        continue;
                    }
                    match self.send(row).await? {
                        Sent::Done => {
                            store.outbox_done(seq).await?;
                            self.forget_superseded_refusals(&outbox, row).await?;
                        }
                        Sent::Refused { reason, refusal, message } => {
                            let kept = serde_json::from_str::<Decision>(&row.payload)
                                .ok()
                                .and_then(|d| serde_json::to_string(&d.without_secrets()).ok())
                                .unwrap_or_else(|| "{}".into());
                            let facts = refusal.map(|r| r.to_kept(now));
                            store.outbox_refused(seq, &reason, &message, facts.as_deref(), &kept).await?;
                            self.forget_superseded_refusals(&outbox, row).await?;
                        }
                        Sent::Later(error) => {
                            let jitter = rand::rng().random::<f64>();
                            let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
                            let at = now + retry_delay(attempts, error.retry_after(), jitter);
                            let why = error
                                .unavailable()
                                .map_or(crate::ErrorKind::ProviderResponse, crate::unavailable_kind)
                                .as_str();
                            store.outbox_retry_at(seq, at, why, &error.to_string()).await?;
                            held_children.insert(row.child_id.clone());
                            // Unreachable: the rest would fail the same way; keep them for later.
                            if error.unavailable() == Some(guardian_client::Unavailable::Unreachable) {
                                return Err(error.into());
                            }
                            first_transient.get_or_insert(error);
                        }
                    }
                }
                Step::Bootstrap => self.bootstrap(&guardian_id).await?,
                Step::Pull { cursor } => match self.pull(&guardian_id, cursor).await {
                    Err(CoreError::Client(ClientError::Provider { body, .. }))
                        if body.code == ErrorCode::CursorExpired =>
                    {
                        tracing::info!("feed position expired; fetching a full snapshot");
                        self.bootstrap(&guardian_id).await?;
                    }
                    other => other?,
                },
            }
        }
        self.fetch_avatars().await?;
        store.set_meta(LAST_SYNCED, &self.clock.now().to_rfc3339()).await?;
        match first_transient {
            Some(error) => Err(error.into()),
            None => Ok(()),
        }
    }

    /// Once a decision about a request or contact has been answered, earlier refusals of the
    /// same decision (a mistyped PIN, say) no longer apply: they leave the pending list.
    async fn forget_superseded_refusals(
        &self,
        outbox: &[OutboxRow],
        answered: &OutboxRow,
    ) -> Result<(), CoreError> {
        let Ok(decision) = serde_json::from_str::<Decision>(&answered.payload) else { return Ok(()) };
        let store = self.store().await?;
        for row in outbox.iter().filter(|r| r.state == OutboxState::Failed && r.seq < answered.seq) {
            let same = serde_json::from_str::<Decision>(&row.payload).is_ok_and(|d| {
                d.kind() == decision.kind()
                    && d.child_id() == decision.child_id()
                    && d.subject() == decision.subject()
            });
            if same {
                store.outbox_dismiss(row.seq).await?;
            }
        }
        Ok(())
    }

    /// Follows the provider's push stream for as long as the guardian is signed in, calling
    /// `on_change` whenever changes are waiting (the caller then syncs). Reconnects with
    /// backoff after any failure; returns only when a new sign-in is needed.
    pub async fn watch(&self, mut on_change: impl FnMut() + Send) {
        let mut failures: u32 = 0;
        loop {
            let mut heard = false;
            let result = self
                .client
                .watch_events(|event| {
                    heard = true;
                    if event == "changes" {
                        on_change();
                    }
                })
                .await;
            if matches!(result, Err(ClientError::SignInRequired)) {
                return;
            }
            failures = if heard { 0 } else { failures.saturating_add(1) };
            let jitter = rand::rng().random::<f64>();
            let wait =
                retry_delay(failures, None, jitter).to_std().unwrap_or(std::time::Duration::from_secs(1));
            tokio::time::sleep(wait.min(std::time::Duration::from_secs(60))).await;
        }
    }

    /// A full snapshot, applied in one transaction once every page has arrived.
    async fn bootstrap(&self, guardian_id: &str) -> Result<(), CoreError> {
        let mut changes: Vec<Change> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.client.changes(cursor.as_deref(), FEED_PAGE).await?;
            changes.extend(page.changes);
            cursor = Some(page.cursor);
            if !page.has_more {
                break;
            }
        }
        let cursor = cursor.unwrap_or_default();
        self.store().await?.apply_snapshot(guardian_id, &changes, &cursor).await?;
        tracing::info!(changes = changes.len(), "snapshot applied");
        Ok(())
    }

    /// Replaces the cache's view of the provider with a fresh snapshot (queued decisions stay),
    /// e.g. after becoming a child's guardian, whose history the change feed does not replay.
    pub(crate) async fn snapshot_again(&self) -> Result<(), CoreError> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let Some(guardian_id) = self.client.guardian_id().await else {
            return Err(ClientError::SignInRequired.into());
        };
        self.bootstrap(&guardian_id).await
    }

    /// Incremental pages, each applied with its cursor in one transaction.
    async fn pull(&self, guardian_id: &str, mut cursor: String) -> Result<(), CoreError> {
        let store = self.store().await?;
        loop {
            let page = self.client.changes(Some(&cursor), FEED_PAGE).await?;
            store.apply_changes(guardian_id, &page.changes, &page.cursor).await?;
            cursor = page.cursor;
            if !page.has_more {
                return Ok(());
            }
        }
    }

    async fn send(&self, row: &OutboxRow) -> Result<Sent, CoreError> {
        let decision: Decision = match serde_json::from_str(&row.payload) {
            Ok(decision) => decision,
            Err(_) => {
                return Ok(Sent::Refused {
                    reason: "local_cache".into(),
                    refusal: None,
                    message: "this queued decision could not be read".into(),
                });
            }
        };
        let key = row.idempotency_key.as_str();
        let result = match &decision {
            Decision::ApproveRequest { child_id, request_id, pin, trial_days } => {
                let pin = pin.clone().map(Secret::new);
                self.client
                    .approve_request(child_id, request_id, pin.as_ref(), *trial_days, key)
                    .await
                    .map(drop)
            }
            Decision::DenyRequest { child_id, request_id } => {
                self.client.deny_request(child_id, request_id, key).await.map(drop)
            }
            Decision::BlockContact { child_id, contact_id } => {
                self.client.set_contact_blocked(child_id, contact_id, true, None, key).await.map(drop)
            }
            Decision::UnblockContact { child_id, contact_id, pin } => {
                let pin = pin.clone().map(Secret::new);
                self.client
                    .set_contact_blocked(child_id, contact_id, false, pin.as_ref(), key)
                    .await
                    .map(drop)
            }
            Decision::RemoveContact { child_id, contact_id } => {
                match self.client.remove_contact(child_id, contact_id, key).await {
                    // Already gone (removed elsewhere, or a trial that ended): what was asked holds.
                    Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::NotFound => Ok(()),
                    other => other.map(drop),
                }
            }
        };
        Ok(match result {
            Ok(()) => Sent::Done,
            Err(ClientError::SignInRequired) => return Err(ClientError::SignInRequired.into()),
            Err(error) if error.is_transient() => Sent::Later(error),
            Err(ClientError::Provider { body, retry_after, .. }) => Sent::Refused {
                reason: body.code.as_str().to_owned(),
                refusal: Some(Refusal::from_body(&body, retry_after)),
                message: body.message,
            },
            Err(other) => Sent::Refused {
                reason: CoreError::from(other).code().to_owned(),
                refusal: None,
                message: String::new(),
            },
        })
    }

    /// Queues a decision without sending it; returns its outbox number and idempotency key. Once
    /// this returns, the decision is on disk and will reach the provider exactly once.
    async fn queue(&self, decision: &Decision) -> Result<(i64, String), CoreError> {
        let store = self.store().await?;
        let payload = serde_json::to_string(decision).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let key = format!("guardian-{}", crate::decisions::random_hex());
        let seq = store
            .enqueue(&key, decision.child_id(), decision.kind().as_str(), &payload, self.clock.now())
            .await?;
        Ok((seq, key))
    }

    /// Queues a decision (it is safe on disk before anything is sent), then tries to send it.
    pub async fn decide(&self, decision: Decision) -> Result<DecisionOutcome, CoreError> {
        self.decide_noting(decision, |_| {}).await
    }

    /// [`Engine::decide`], handing `queued` the decision's idempotency key once the decision is on
    /// disk and before it is sent: the witness the crash-safety harness checks the provider against.
    pub async fn decide_noting(
        &self,
        decision: Decision,
        queued: impl FnOnce(&str),
    ) -> Result<DecisionOutcome, CoreError> {
        let store = self.store().await?;
        let (seq, key) = self.queue(&decision).await?;
        queued(&key);
        // Sending is best effort here: offline, the decision simply waits in the queue.
        let _ = self.sync().await;
        let outbox = store.outbox().await?;
        let Some(row) = outbox.iter().find(|r| r.seq == seq) else {
            return Ok(DecisionOutcome {
                state: OutcomeState::Sent,
                message: None,
                reason: None,
                refusal: None,
            });
        };
        if row.state == OutboxState::Failed {
            return Ok(DecisionOutcome {
                state: OutcomeState::Refused,
                message: row.last_error.clone(),
                reason: row.reason.clone(),
                refusal: kept_refusal(row, self.clock.now()),
            });
        }
        // Not tried yet: it waits behind an earlier decision about the same child, for that one's reason.
        let reason = row.reason.clone().or_else(|| {
            outbox
                .iter()
                .filter(|r| r.state == OutboxState::Queued && r.child_id == row.child_id && r.seq < seq)
                .find_map(|r| r.reason.clone())
        });
        Ok(DecisionOutcome {
            state: OutcomeState::Queued,
            message: row.last_error.clone(),
            reason,
            refusal: None,
        })
    }

    /// A child by ID, or by name (case-insensitive) when the name is unique.
    pub async fn find_child(&self, name_or_id: &str) -> Result<ChildSummary, CoreError> {
        let children = self.children().await?;
        if let Some(child) = children.iter().find(|c| c.id == name_or_id) {
            return Ok(child.clone());
        }
        let matches: Vec<_> =
            children.iter().filter(|c| c.display_name.eq_ignore_ascii_case(name_or_id.trim())).collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(CoreError::Invalid(format!("no child called {name_or_id:?}"))),
            _ => Err(CoreError::Invalid(format!("more than one child is called {name_or_id:?}: use the ID"))),
        }
    }

    /// How many days × features of activity the cache holds for a child.
    pub async fn activity_rows(&self, child: &str) -> Result<i64, CoreError> {
        let child = self.find_child(child).await?;
        Ok(self.store().await?.activity_rows(&child.id).await?)
    }

    /// Decisions the provider does not have yet (queued) or refused.
    pub async fn pending_decisions(&self) -> Result<Vec<PendingDecision>, CoreError> {
        let store = self.store().await?;
        let now = self.clock.now();
        Ok(store
            .outbox()
            .await?
            .into_iter()
            .filter_map(|row| {
                // Only this app writes the outbox: a kind it does not know is a damaged row.
                let Some(kind) = DecisionKind::parse(&row.kind) else {
                    tracing::warn!(seq = row.seq, "an outbox row of an unknown kind is left out");
                    return None;
                };
                let refusal = kept_refusal(&row, now);
                let subject = serde_json::from_str::<Decision>(&row.payload)
                    .map(|d| d.subject().to_owned())
                    .unwrap_or_default();
                let refused = row.state == OutboxState::Failed;
                Some(PendingDecision {
                    id: row.seq.to_string(),
                    kind,
                    child_id: row.child_id.unwrap_or_default(),
                    subject,
                    state: if refused { PendingState::Refused } else { PendingState::Queued },
                    refusal,
                    attempts: i32::try_from(row.attempts).unwrap_or(i32::MAX),
                    message: row.last_error,
                    reason: row.reason,
                    next_try_at: row.next_attempt_at.filter(|_| !refused).map(|at| at.to_rfc3339()),
                })
            })
            .collect())
    }

    /// Removes a refused decision once the guardian has read why.
    pub async fn dismiss_decision(&self, id: &str) -> Result<(), CoreError> {
        let seq: i64 = id.parse().map_err(|_| CoreError::Invalid(format!("no pending decision {id}")))?;
        if self.store().await?.outbox_dismiss(seq).await? {
            Ok(())
        } else {
            Err(CoreError::Invalid(format!("no refused decision {id}")))
        }
    }

    /// (subject, kind) of every queued (not refused) decision.
    pub(crate) async fn queued_by_subject(&self) -> Result<Vec<(String, DecisionKind)>, CoreError> {
        Ok(self
            .pending_decisions()
            .await?
            .into_iter()
            .filter(|p| p.state == PendingState::Queued)
            .map(|p| (p.subject, p.kind))
            .collect())
    }
}
