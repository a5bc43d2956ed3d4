//! Co-guardians agree on the rules that protect the child: one guardian's loosening is only a
//! proposal, which every guardian of the child sees in "Needs your attention" and among the
//! notifications (the app shows those on the desktop), until the others accept or veto it.

mod common;

use common::World;
use guardian_core::{
    AttentionKind, Engine, NotificationKind, ProviderChoice, RemovalOutcome, Secret, Settings,
};
use guardian_domain::{Agreement, ProposalKind, ProposalStatus};
use guardian_sandbox::DEMO_PIN;

const JUN: (&str, &str) = ("+8613800000002", "co-guardian-password");

/// Jun, Leo's other guardian, on a computer of his own.
async fn jun(world: &World, data: &std::path::Path) -> Engine {
    let settings = Settings {
        provider: Some(ProviderChoice::Url(format!("http://{}", world.addr))),
        data_dir: data.to_owned(),
        keyring_service: "guardian-proposals-test".into(),
        use_keyring: false,
        request_timeout: guardian_client::DEFAULT_TIMEOUT,
    };
    let engine = Engine::start(settings).await.expect("start");
    engine.sign_in(JUN.0, &Secret::new(JUN.1)).await.expect("Jun signs in");
    engine
}

#[tokio::test]
async fn a_loosening_waits_for_the_other_guardian_who_sees_it_everywhere_and_decides() {
    let world = World::with_scenario("co-guardians").await;
    let pin = Secret::new(DEMO_PIN);
    let view = world.engine.set_agreement("Leo", "one", &pin).await.expect("proposed");
    assert_eq!(view.agreement, Agreement::All, "nothing changes on one guardian's word");
    let mine = &view.proposals[0];
    assert!(mine.you_proposed && !mine.yours_to_answer);
    assert_eq!(mine.awaiting, ["Jun Chen"]);

    // The proposing guardian sees it waiting too.
    let attention = world.engine.attention().await.expect("attention");
    assert!(
        attention.items.iter().any(|i| i.kind == AttentionKind::RelaxAgreement && i.id == mine.id),
        "{attention:?}"
    );

    let data = tempfile::tempdir().expect("temp dir");
    let jun = jun(&world, data.path()).await;
    let attention = jun.attention().await.expect("attention");
    let item = attention.items.iter().find(|i| i.id == mine.id).expect("Jun is asked");
    assert_eq!((item.kind, item.subject.as_str()), (AttentionKind::RelaxAgreement, "Demo Guardian"));
    let notices = jun.notifications().await.expect("notifications");
    assert!(
        notices.items.iter().any(|n| n.kind == NotificationKind::ProposalRelaxAgreement && !n.read),
        "a notification for the desktop: {notices:?}"
    );
    let theirs = jun.co_guardians("Leo").await.expect("co-guardians").proposals;
    assert!(theirs[0].yours_to_answer);

    // Accepting needs the PIN; with it, the rule changes for both.
    let error = jun.answer_proposal("Leo", &mine.id, true, None).await.expect_err("no PIN");
    assert_eq!(error.code(), "invalid_input");
    let accepted = jun.answer_proposal("Leo", &mine.id, true, Some(&pin)).await.expect("accepted");
    assert_eq!(accepted.status, ProposalStatus::InEffect);
    assert_eq!(world.engine.co_guardians("Leo").await.expect("view").agreement, Agreement::One);
    assert!(!jun.attention().await.expect("attention").items.iter().any(|i| i.id == mine.id), "settled");

    // Taking Jun off is proposed; Jun vetoes it and stays.
    let RemovalOutcome::Proposed { proposal } =
        world.engine.remove_guardian("Leo", "g-jun", &pin).await.expect("proposed")
    else {
        panic!("taking another guardian off is only proposed");
    };
    assert_eq!(
        (proposal.kind, proposal.guardian_name.as_deref()),
        (ProposalKind::RemoveGuardian, Some("Jun Chen"))
    );
    let vetoed = jun.answer_proposal("Leo", &proposal.id, false, None).await.expect("vetoed");
    assert_eq!(vetoed.status, ProposalStatus::Vetoed);
    assert_eq!(world.engine.co_guardians("Leo").await.expect("view").guardians.len(), 2);
    jun.close().await;
}
