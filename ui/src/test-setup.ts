// The app loads most of its screens as a second chunk after the first paint (lib/later.ts).
// Loading it here first keeps that from costing a test file its first second of waiting.
import "./lib/later";
