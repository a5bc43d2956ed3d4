// What the first screen does not need, loaded as a chunk of its own once the dashboard has been
// painted: it keeps the start-up script small (the activity charts' Chart.js alone is a third of
// the app), and the dashboard's cards are on screen before these panels are built.
export { default as AccountPanel } from "../components/AccountPanel.svelte";
export { default as ProviderPanel } from "../components/ProviderPanel.svelte";
export { default as AddChildPanel } from "../components/AddChildPanel.svelte";
export { default as AttentionPanel } from "../components/AttentionPanel.svelte";
export { default as ChildView } from "../components/ChildView.svelte";
export { default as IdentitiesPanel } from "../components/IdentitiesPanel.svelte";
export { default as InvitesPanel } from "../components/InvitesPanel.svelte";
export { default as NotificationCentre } from "../components/NotificationCentre.svelte";
export { default as PolicyNotice } from "../components/PolicyNotice.svelte";
export { default as RightsRequestsPanel } from "../components/RightsRequestsPanel.svelte";
export { default as SecurityNotices } from "../components/SecurityNotices.svelte";
export { default as SupportPanel } from "../components/SupportPanel.svelte";
