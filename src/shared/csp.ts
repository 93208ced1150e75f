/**
 * The Content-Security-Policy of the workstation UI, in both hosts (src/main/security.ts for the
 * desktop window, src/cli/serve.ts for browser mode): nothing but its own origin.
 *
 * One exception in style-src, by hash: report.html's inline <style> (resources/report.css as
 * src/core/report/html.ts inlines it, between two newlines). The Post-mortem stage previews
 * report.html in a sandboxed srcdoc iframe, and a srcdoc document inherits this policy, so without
 * the hash the preview would be unstyled. A hash allows that one stylesheet only, not inline styles
 * in general. The same hash is in src/renderer/index.html's meta policy, which is enforced as well.
 * When report.css changes, recompute both: src/shared/csp.test.ts fails until then and prints
 * the value expected (base64 SHA-256 of the stylesheet between two newlines).
 */
export const REPORT_STYLE_HASH = "'sha256-zR6pITPoyYtBsEPb7re2e8AIk6CB87nawTcJNB+EoXY='";

export const CSP =
  `default-src 'self'; script-src 'self'; style-src 'self' ${REPORT_STYLE_HASH}; img-src 'self' data: blob:; ` +
  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
