// The workstation UI as a static bundle, served by `probity serve` (browser mode) from out/renderer.
// The desktop build (electron-vite) builds the same root.
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

/**
 * The dev server injects an inline script (React refresh) and inline <style> tags and talks to its
 * HMR websocket, all of which the production CSP forbids. Relax the policy for `vite dev` only; the
 * built index.html keeps the strict one.
 */
function devCsp(): Plugin {
  return {
    name: 'probity-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(
        /content="default-src 'self';[^"]*"/,
        `content="default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:*; img-src 'self' data:"`,
      );
    },
  };
}

/**
 * `vite` dev server against a running `probity serve`: set PROBITY_URL to the address it printed
 * (http://127.0.0.1:PORT/?token=…). API calls and the event stream are proxied to it with the token
 * header added, so the page served by vite needs neither the cookie nor the token.
 */
function devProxy(): Record<string, ProxyOptions> | undefined {
  const printed = process.env.PROBITY_URL;
  if (!printed) return undefined;
  const url = new URL(printed);
  const token = url.searchParams.get('token') ?? '';
  return {
    '/api': {
      target: url.origin,
      changeOrigin: true,
      configure: (proxy) => proxy.on('proxyReq', (req) => req.setHeader('x-probity-token', token)),
    },
  };
}

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react(), devCsp()],
  build: {
    outDir: '../../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // Source maps stay out of the shipped bundle; no external resources are referenced.
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    strictPort: false,
    proxy: devProxy(),
  },
});
