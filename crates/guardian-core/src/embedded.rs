//! A provider running inside this process: the embedded demo. The shells start it (the demo is
//! a cargo feature of theirs) and hand it to [`Engine::start_embedded`](crate::Engine); the
//! engine only needs its address, whom to sign in as, and how to stop it.

use std::future::Future;
use std::pin::Pin;

use guardian_client::Secret;

/// A future an embedded provider returns.
pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait EmbeddedProvider: Send + Sync {
    /// Where it listens (loopback).
    fn url(&self) -> String;
    /// The guardian the engine signs in as: the provider is new at every start.
    fn guardian(&self) -> (String, Secret);
    /// The code it would have texted to `phone` (it sends no real message), if any.
    fn last_sms_code<'a>(&'a self, phone: &'a str) -> ProviderFuture<'a, Option<String>>;
    /// Stops it, waiting until its database is closed.
    fn stop(self: Box<Self>) -> ProviderFuture<'static, ()>;
}
