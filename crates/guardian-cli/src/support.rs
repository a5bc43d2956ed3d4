//! What support uses: the diagnostics bundle, and the churn the crash-safety harness kills.

use guardian_core::{Decision, Engine};

/// `guardian diagnostics`: the bundle for support, naming no one.
pub(crate) async fn diagnostics(engine: &Engine, out: &std::path::Path) -> anyhow::Result<()> {
    let saved = engine.write_diagnostics(out, None).await?;
    println!("Wrote {} ({}). Nothing in it names you or your children.", saved.path, saved.files.join(", "));
    Ok(())
}

/// `guardian debug churn`: approves, removes, then blocks and unblocks a contact `count` times,
/// printing each decision's key once it is safe on disk.
pub(crate) async fn churn(
    engine: &Engine,
    child: &str,
    contact: &str,
    count: u32,
    approve: Option<String>,
    remove: Option<String>,
) -> anyhow::Result<()> {
    use std::io::Write as _;
    let child = engine.find_child(child).await?.id;
    // The harness kills this process at a random moment after it has started.
    writeln!(std::io::stdout().lock(), "started")?;
    std::io::stdout().flush()?;
    let once = approve
        .map(|request_id| Decision::ApproveRequest {
            child_id: child.clone(),
            request_id,
            pin: Some(guardian_domain::DEMO_PIN.into()),
            trial_days: None,
        })
        .into_iter()
        .chain(remove.map(|contact_id| Decision::RemoveContact { child_id: child.clone(), contact_id }));
    let churn = (0..count).map(|i| {
        let (child_id, contact_id) = (child.clone(), contact.to_owned());
        if i % 2 == 0 {
            Decision::BlockContact { child_id, contact_id }
        } else {
            Decision::UnblockContact { child_id, contact_id, pin: Some(guardian_domain::DEMO_PIN.into()) }
        }
    });
    for decision in once.chain(churn) {
        // Printed once the decision is on disk and before it is sent; stdout writes each line whole.
        engine.decide_noting(decision, |key| println!("queued {key}")).await?;
    }
    Ok(())
}
