/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough to check what
 * /metrics serves: every sample belongs to a family declared by HELP and TYPE, names and labels are
 * well formed, values are numbers. Throws on the first bad line, naming it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (\\S+)$`);
const SUFFIXES: Record<Family['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  if (text !== 'NaN' && Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

/** Parses exposition text into families keyed by name. */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    if (help) {
      current = { name: help[1] ?? '', help: help[2] ?? '', type: 'untyped', samples: [] };
      if (families.has(current.name)) throw new Error(`family declared twice: ${current.name}`);
      families.set(current.name, current);
      continue;
    }
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      if (!current || current.name !== type[1]) throw new Error(`TYPE without HELP: ${line}`);
      current.type = type[2] as Family['type'];
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unknown comment line: ${line}`);
    const sample = SAMPLE.exec(line);
    if (!sample || !current) throw new Error(`bad sample line: ${line}`);
    const [, name = '', labelText = '', , , value = ''] = sample;
    const family: Family = current;
    if (!SUFFIXES[family.type].some((suffix) => name === family.name + suffix)) throw new Error(`sample outside its family: ${line}`);
    const labels: Record<string, string> = {};
    for (const match of labelText.matchAll(new RegExp(LABEL, 'g'))) labels[match[1] ?? ''] = match[2] ?? '';
    family.samples.push({ name, labels, value: parseValue(value, line) });
  }
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
