//! Push: a server-sent-events stream telling a signed-in client that changes are waiting in the
//! feed. It carries no data of its own; the client then syncs.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;
use crate::auth::Authed;

pub(crate) async fn events(
    State(state): State<AppState>,
    auth: Authed,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.pushes.subscribe();
    let guardian = auth.guardian_id;
    // First a `ready` event, so a client knows it is subscribed; then `changes` each time
    // something of this guardian's changed (several at once may come as one).
    let stream =
        futures_util::stream::unfold((receiver, guardian, true), |(mut rx, guardian, first)| async move {
            if first {
                return Some((Ok(Event::default().event("ready").data("{}")), (rx, guardian, false)));
            }
            loop {
                match rx.recv().await {
                    Ok(changed) if changed == guardian => {
                        return Some((
                            Ok(Event::default().event("changes").data("{}")),
                            (rx, guardian, false),
                        ));
                    }
                    Ok(_) => continue,
                    // Missed some: tell the client anyway; a sync catches everything up.
                    Err(RecvError::Lagged(_)) => {
                        return Some((
                            Ok(Event::default().event("changes").data("{}")),
                            (rx, guardian, false),
                        ));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
