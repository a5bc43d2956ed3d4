/** What an action did, in the guardian's words: an error is announced at once, news politely. A
 * lock or wait is counted down on screen (`render` words the seconds left). */
export type Message = {
  kind: "info" | "error";
  text: string;
  countdown?: { seconds: number; render: (secondsLeft: number) => string };
};
