import { tick } from "svelte";

/** Resolves once what is on screen now has been painted. */
export async function afterPaint(): Promise<void> {
  await tick();
  await new Promise<void>((resolve) =>
    typeof requestAnimationFrame === "function" ? requestAnimationFrame(() => setTimeout(resolve, 0)) : setTimeout(resolve, 0),
  );
}
