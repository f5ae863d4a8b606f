#!/usr/bin/env node
// Generates data/calendars/cn.json, mainland China's business calendar, from
// the npm package `chinese-days` (its dist/chinese-days.json lists official
// public holidays and make-up working days, 调休, as date -> "English,中文,n").
//
//   node tools/gen-cn-calendar.mjs > data/calendars/cn.json
//       fetches chinese-days@1.5.7 with `npm pack` into a scratch directory;
//   node tools/gen-cn-calendar.mjs path/to/unpacked/package > data/calendars/cn.json
//       reads an already unpacked package (the directory holding package.json).
//
// The output is committed: building redress never runs this script. Rerun it
// when the State Council publishes a new year's schedule (and bump LAST_YEAR).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = 'chinese-days';
const VERSION = '1.5.7';
const FIRST_YEAR = 2020;
const LAST_YEAR = 2026;

function unpack() {
  const dir = mkdtempSync(join(tmpdir(), 'cn-calendar-'));
  const tarball = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
  }).trim();
  execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir]);
  return { root: join(dir, 'package'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function fail(message) {
  process.stderr.write(`gen-cn-calendar: ${message}\n`);
  process.exit(1);
}

const source = process.argv[2] ? { root: process.argv[2], cleanup: () => {} } : unpack();
const pkg = JSON.parse(readFileSync(join(source.root, 'package.json'), 'utf8'));
const days = JSON.parse(readFileSync(join(source.root, 'dist', 'chinese-days.json'), 'utf8'));
source.cleanup();
if (pkg.name !== PACKAGE) fail(`expected package ${PACKAGE}, found ${pkg.name}`);

const inRange = (date) => {
  const year = Number(date.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR;
};
const weekday = (date) => new Date(`${date}T00:00:00Z`).getUTCDay();  // 0 = Sunday
const pick = (map) => Object.keys(map).filter(inRange).sort();

const holidays = pick(days.holidays);
const workdays = pick(days.workdays);

// The calendar model's own rules, checked here so a bad upstream release is
// caught when generating rather than when loading.
for (const d of workdays) {
  if (days.holidays[d]) fail(`${d} is both a holiday and a make-up working day`);
  if (weekday(d) !== 0 && weekday(d) !== 6) fail(`make-up working day ${d} is not on a weekend`);
}
for (let year = FIRST_YEAR; year <= LAST_YEAR; ++year) {
  if (!holidays.some((d) => d.startsWith(`${year}-10-01`))) fail(`no National Day holiday in ${year}: data incomplete`);
}

// Groups consecutive dates under the holiday they belong to, one line each,
// so a reviewer can read the file against the official notice.
function lines(dates, names) {
  const groups = [];
  for (const d of dates) {
    const name = names[d].split(',')[0];
    const last = groups[groups.length - 1];
    if (last && last.name === name && last.dates[0].slice(0, 4) === d.slice(0, 4)) last.dates.push(d);
    else groups.push({ name, dates: [d] });
  }
  return groups.map((g) => '    ' + g.dates.map((d) => JSON.stringify(d)).join(', ')).join(',\n');
}

const provenance = {
  package: PACKAGE,
  version: pkg.version,
  file: 'dist/chinese-days.json',
  url: `https://www.npmjs.com/package/${PACKAGE}/v/${pkg.version}`,
  generated: new Date().toISOString().slice(0, 10),
  generator: 'tools/gen-cn-calendar.mjs',
  note: 'holidays include the weekend days inside each official holiday period, as the source lists them',
};

process.stdout.write(`{
  "name": "cn",
  "description": "Mainland China: official public holidays and make-up working days (调休), ${FIRST_YEAR}-${LAST_YEAR}",
  "provenance": ${JSON.stringify(provenance, null, 2).replace(/\n/g, '\n  ')},
  "time_zone": "Asia/Shanghai",
  "weekmask": ["Mon", "Tue", "Wed", "Thu", "Fri"],
  "service_hours": [{"opens": "09:00", "closes": "21:00"}],
  "first_date": "${FIRST_YEAR}-01-01",
  "last_date": "${LAST_YEAR}-12-31",
  "holidays": [
${lines(holidays, days.holidays)}
  ],
  "extra_working_days": [
${lines(workdays, days.workdays)}
  ]
}
`);
