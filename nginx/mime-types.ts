/**
 * The MIME types nginx sends for static files, shipped with the kit instead of including the
 * system's `mime.types`, so the rendered config is one self-contained file that behaves the same
 * on Debian, in the official nginx image and in a ConfigMap. Extend it when your app ships more.
 */
export const MIME_TYPES: Readonly<Record<string, readonly string[]>> = {
  'text/html': ['html', 'htm'],
  'text/css': ['css'],
  'text/plain': ['txt'],
  'text/csv': ['csv'],
  'text/xml': ['xml'],
  'application/javascript': ['js', 'mjs'],
  'application/json': ['json', 'map'],
  'application/manifest+json': ['webmanifest'],
  'application/wasm': ['wasm'],
  'application/pdf': ['pdf'],
  'application/zip': ['zip'],
  'image/svg+xml': ['svg', 'svgz'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/avif': ['avif'],
  'image/x-icon': ['ico'],
  'font/woff': ['woff'],
  'font/woff2': ['woff2'],
  'font/ttf': ['ttf'],
  'font/otf': ['otf'],
  'audio/mpeg': ['mp3'],
  'video/mp4': ['mp4'],
  'video/webm': ['webm'],
};

/**
 * Types worth compressing: text-like ones (images and fonts other than SVG are compressed already).
 * Never text/event-stream: gzip holds back an event stream's small writes (test/static-tier/streaming.int.test.ts).
 */
export const GZIP_TYPES = [
  'text/css',
  'text/plain',
  'text/csv',
  'text/xml',
  'application/javascript',
  'application/json',
  'application/manifest+json',
  'application/wasm',
  'image/svg+xml',
] as const;
