import { tick } from "svelte";

/** Resolves after the tasks already waiting (input, timers) have had their turn. */
export function nextTask(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Resolves once what is on screen now has been painted. */
export async function afterPaint(): Promise<void> {
  await tick();
  await new Promise<void>((resolve) =>
    typeof requestAnimationFrame === "function" ? requestAnimationFrame(() => setTimeout(resolve, 0)) : setTimeout(resolve, 0),
  );
}
