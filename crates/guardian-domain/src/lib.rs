//! Wire types shared by the Guardian client and the provider sandbox.
//!
//! The provider API contract lives in `api/openapi.yaml`; these types are its Rust form. Anything
//! that crosses the wire is defined here once, so client and sandbox cannot drift apart.

mod avatar;
mod clock;
mod decisions;
mod error;
mod guardians;
mod identity;
mod limits;
mod rights;
mod transparency;
mod wire;

pub use avatar::*;
pub use clock::{Clock, FixedClock, SystemClock};
pub use decisions::*;
pub use error::{ErrorBody, ErrorCode};
pub use guardians::*;
pub use identity::*;
pub use limits::*;
pub use rights::*;
pub use transparency::*;
pub use wire::*;

/// The seed scenarios' guardian: how the sandbox's scenario families sign in, and what flow files
/// replay with when a step names no phone number, password or PIN.
pub const DEMO_PHONE: &str = "+8613800000001";
pub const DEMO_PASSWORD: &str = "demo-password";
/// The seed scenarios' children's parental PIN.
pub const DEMO_PIN: &str = "1234";

/// The API version this build speaks; sent as `Guardian-Api-Version` on every request.
pub const API_VERSION: &str = "1";
