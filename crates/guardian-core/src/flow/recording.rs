//! Recording what a guardian does as a flow file, with `#N` references instead of names.

use super::format::{FLOW_FORMAT, Step};
use crate::{CoreError, Engine};

/// The `#N` reference of a child (by name order), as recordings write it.
pub async fn child_ref(engine: &Engine, child_id: &str) -> Result<String, CoreError> {
    let mut children = engine.children().await?;
    children.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let at = children.iter().position(|c| c.id == child_id).unwrap_or(0);
    Ok(format!("#{}", at + 1))
}

/// The `#N` reference of an incoming friend request (by ID order).
pub async fn request_ref(engine: &Engine, child_id: &str, request_id: &str) -> Result<String, CoreError> {
    let mut ids: Vec<String> = engine
        .friend_requests(child_id)
        .await?
        .into_iter()
        .filter(|r| r.direction == guardian_domain::Direction::Incoming)
        .map(|r| r.id)
        .collect();
    ids.sort();
    Ok(format!("#{}", ids.iter().position(|id| id == request_id).unwrap_or(0) + 1))
}

/// The `#N` reference of a contact (by ID order).
pub async fn contact_ref(engine: &Engine, child_id: &str, contact_id: &str) -> Result<String, CoreError> {
    let mut ids: Vec<String> = engine.contacts(child_id).await?.into_iter().map(|c| c.contact_id).collect();
    ids.sort();
    Ok(format!("#{}", ids.iter().position(|id| id == contact_id).unwrap_or(0) + 1))
}

/// Appends steps to a recording, starting the file (with its header) when it does not exist.
pub fn append_steps(path: &std::path::Path, steps: &[Step]) -> Result<(), CoreError> {
    use std::io::Write as _;
    let file_error = |e: std::io::Error| CoreError::File(e.to_string());
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(file_error)?;
    if new {
        writeln!(
            file,
            "# Recorded by `guardian --record`: names are #N references and the PIN is the sandbox's.\n\
             format = \"{FLOW_FORMAT}\"\nname = \"Recorded session\"\nscenario = \"demo-family\""
        )
        .map_err(file_error)?;
    }
    for step in steps {
        let table = toml::to_string(step).map_err(|e| CoreError::File(e.to_string()))?;
        write!(file, "\n[[step]]\n{table}").map_err(file_error)?;
    }
    Ok(())
}

/// The PIN recordings write: the sandbox's when the real one was accepted, a wrong one when it
/// was refused (so the replay is refused the same way).
pub fn recorded_pin(accepted: bool) -> String {
    if accepted { guardian_domain::DEMO_PIN.into() } else { "0000".into() }
}

/// A step to record, worked out before the action (references can shift after it). The PIN of
/// an approval or a deletion depends on whether the action was accepted.
pub(crate) enum Planned {
    Fixed(Step),
    Approve { child: String, request: String, needs_pin: bool, trial_days: Option<u32> },
    Deletion { child: String },
}

impl Planned {
    /// The recorded steps: the action, and the error it met when it failed.
    pub(crate) fn steps(self, failed: Option<String>) -> Vec<Step> {
        let accepted = failed.is_none();
        let step = match self {
            Self::Fixed(step) => step,
            Self::Approve { child, request, needs_pin, trial_days } => {
                Step::Approve { child, request, pin: needs_pin.then(|| recorded_pin(accepted)), trial_days }
            }
            Self::Deletion { child } => {
                Step::RequestDeletion { child, pin: recorded_pin(accepted), password: None }
            }
        };
        let mut steps = vec![step];
        steps.extend(failed.map(|code| Step::ExpectError { code }));
        steps
    }
}

impl From<Step> for Planned {
    fn from(step: Step) -> Self {
        Self::Fixed(step)
    }
}

/// The error code a recording expects after an action: a refusal counts as `refused`.
fn failure_code<T>(result: &Result<T, CoreError>, refused: impl Fn(&T) -> bool) -> Option<String> {
    match result {
        Err(error) => Some(error.code().to_owned()),
        Ok(value) if refused(value) => Some("refused".to_owned()),
        Ok(_) => None,
    }
}

impl Engine {
    /// Starts (with a file) or stops recording what the guardian does, as a flow file.
    pub fn record_session(&self, file: Option<std::path::PathBuf>) {
        *self.recording.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = file;
    }

    fn recording_file(&self) -> Option<std::path::PathBuf> {
        self.recording.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Runs `action` and, while a session is recorded, appends it as a step, with the error it
    /// met (a refusal too, when `refused` says the answer is one). `plan` works the step out
    /// before the action runs, as references can shift after it; it runs only while recording.
    pub(crate) async fn recorded<T>(
        &self,
        plan: impl AsyncFnOnce() -> Result<Option<Planned>, CoreError>,
        refused: impl Fn(&T) -> bool,
        action: impl Future<Output = Result<T, CoreError>>,
    ) -> Result<T, CoreError> {
        let planned = match self.recording_file() {
            Some(_) => plan().await?,
            None => None,
        };
        let result = action.await;
        if let (Some(file), Some(planned)) = (self.recording_file(), planned)
            && let Err(error) = append_steps(&file, &planned.steps(failure_code(&result, refused)))
        {
            tracing::warn!(%error, "could not write the session recording");
        }
        result
    }
}
