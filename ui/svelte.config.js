import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Styles are emitted as CSS files (no inline <style> injection), as the CSP requires.
    css: "external",
  },
};
