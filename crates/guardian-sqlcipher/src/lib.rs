//! SQLCipher as Guardian's databases use it: the cache (`guardian-store`) and the provider
//! sandbox's database share one bundled SQLCipher, so they share its set-up here — the random
//! 256-bit key, pools whose every connection is keyed before it reads the file, and the process's
//! start (crypto initialised once) and end (pools closed before exit).

mod key;
mod process;

pub use key::{DbKey, encrypted_pool, prepare};
pub use process::{close_pool_blocking, init_crypto};
