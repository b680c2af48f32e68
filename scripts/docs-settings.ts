/** Regenerates docs/settings.md from the settings registry (`npm run docs:settings`). */
import { writeFileSync } from 'node:fs';
import { renderSettingsMarkdown } from '../gateway/settings/help.ts';

writeFileSync(new URL('../docs/settings.md', import.meta.url), renderSettingsMarkdown());
console.log('wrote docs/settings.md');
