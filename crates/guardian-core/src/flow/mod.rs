//! Flow files (`docs/flows.md`): a guardian flow written down as steps and expectations, run
//! headless against a provider, with a transcript for support. The same use cases as the app:
//! a flow that passes here behaves the same for a guardian.
//!
//! `format` is the file, `runner` plays it, `recording` writes what a guardian does as one.

mod format;
mod recording;
mod runner;

pub use format::{FLOW_FORMAT, Flow, Step, parse};
pub(crate) use recording::Planned;
pub use recording::{append_steps, child_ref, contact_ref, recorded_pin, request_ref};
pub use runner::{Exchange, FlowHost, RemoteSandbox, StepRecord, Transcript, run};
