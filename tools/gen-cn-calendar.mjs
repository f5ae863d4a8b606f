#!/usr/bin/env node
// Generates data/calendars/cn.json, mainland China's business calendar:
//   - official years from the npm package `chinese-days` (its
//     dist/chinese-days.json lists official public holidays and make-up
//     working days, 调休, as date -> "English,中文,n");
//   - provisional years, which the State Council has not published yet,
//     computed from the statutory rules (全国年节及纪念日放假办法, as revised
//     by State Council Order No. 795, in force from 2025) with the lunar and
//     solar-term dates of the npm package `date-holidays`. They hold the
//     statutory days and the weekday given in lieu of a statutory day that
//     falls on a weekend (补假), never make-up working days: those are
//     arranged each year and cannot be derived.
//
//   node tools/gen-cn-calendar.mjs FIRST OFFICIAL_LAST PROVISIONAL_LAST > data/calendars/cn.json
//       e.g. 2020 2026 2028; fetches chinese-days@1.5.7 with `npm pack` and
//       date-holidays@3.37.0 with `npm install` into scratch directories;
//   ... FIRST OFFICIAL_LAST PROVISIONAL_LAST path/to/chinese-days path/to/node_modules
//       reads an unpacked chinese-days (the directory holding package.json)
//       and a node_modules directory holding date-holidays.
// PROVISIONAL_LAST == OFFICIAL_LAST gives a calendar without provisional years.
//
// The rules are cross-checked against the official years: the agreement,
// year by year, is printed on stderr and recorded in the file's provenance.
//
// The output is committed: building redress never runs this script. Rerun it
// when the State Council publishes a new year's schedule, with OFFICIAL_LAST
// moved on (and chinese-days' VERSION bumped to a release that has it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadDateHolidays, yearLines } from './gen-holidays-calendar.mjs';

const PACKAGE = 'chinese-days';
const VERSION = '1.5.7';
const [FIRST_YEAR, LAST_YEAR, PROVISIONAL_LAST] = process.argv.slice(2, 5).map(Number);
if (![FIRST_YEAR, LAST_YEAR, PROVISIONAL_LAST].every(Number.isInteger) || FIRST_YEAR > LAST_YEAR ||
    LAST_YEAR > PROVISIONAL_LAST || FIRST_YEAR < 2008 || PROVISIONAL_LAST > 2037) {
  process.stderr.write('usage: gen-cn-calendar.mjs FIRST OFFICIAL_LAST PROVISIONAL_LAST [chinese-days-dir] [node_modules]\n' +
    '  years within 2008..2037, FIRST <= OFFICIAL_LAST <= PROVISIONAL_LAST\n');
  process.exit(2);
}

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

const source = process.argv[5] ? { root: process.argv[5], cleanup: () => {} } : unpack();
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

// ---------------------------------------------------------------------------
// Statutory rules

const dh = loadDateHolidays(process.argv[6]);
const lunar = new dh.Holidays();
lunar.setHoliday('chinese 01-0-01', { name: 'spring', type: 'public' });       // 正月初一
lunar.setHoliday('chinese 5-01 solarterm', { name: 'qingming', type: 'public' }); // 清明 (solar term)
lunar.setHoliday('chinese 05-0-05', { name: 'dragon', type: 'public' });       // 端午
lunar.setHoliday('chinese 08-0-15', { name: 'midautumn', type: 'public' });    // 中秋
const iso = (t) => new Date(t).toISOString().slice(0, 10);
const addDays = (date, n) => iso(new Date(`${date}T00:00:00Z`).getTime() + n * 86400000);
const isWeekend = (date) => weekday(date) === 0 || weekday(date) === 6;

// The statutory holidays of `year`, in groups of consecutive days, under the
// rules in force that year (Order No. 795 from 2025: Spring Festival eve and
// 1 May's second day added).
function statutoryGroups(year) {
  const revised = year >= 2025;
  const lunarDate = (name) => {
    const h = lunar.getHolidays(year).find((x) => x.name === name);
    if (!h) fail(`${dh.version}: no ${name} date in ${year}`);
    return h.date.slice(0, 10);
  };
  const span = (first, n) => Array.from({ length: n }, (_, k) => addDays(first, k));
  const spring = lunarDate('spring');
  return [
    [`${year}-01-01`],
    revised ? span(addDays(spring, -1), 4) : span(spring, 3),
    [lunarDate('qingming')],
    revised ? span(`${year}-05-01`, 2) : [`${year}-05-01`],
    [lunarDate('dragon')],
    [lunarDate('midautumn')],
    span(`${year}-10-01`, 3),
  ];
}

// Statutory days plus 补假: each statutory day on a weekend gives the next
// weekday after its holiday that is not a holiday already.
function provisionalHolidays(year) {
  const days = new Set(statutoryGroups(year).flat());
  for (const group of statutoryGroups(year)) {
    for (const d of group) {
      if (!isWeekend(d)) continue;
      let next = addDays(group[group.length - 1], 1);
      while (isWeekend(next) || days.has(next)) next = addDays(next, 1);
      days.add(next);
    }
  }
  return [...days].filter((d) => d.startsWith(`${year}-`)).sort();
}

// Cross-check against the official years: how many statutory days the
// official schedule also gives, and how many days of the year the rules
// classify (working or not) as the official schedule does.
const agreement = [];
for (let year = FIRST_YEAR; year <= LAST_YEAR; ++year) {
  const statutory = statutoryGroups(year).flat();
  const predicted = new Set(provisionalHolidays(year));
  const official = new Set(holidays.filter((d) => d.startsWith(`${year}-`)));
  const makeUp = new Set(workdays.filter((d) => d.startsWith(`${year}-`)));
  let same = 0, total = 0;
  for (let d = `${year}-01-01`; d.startsWith(`${year}-`); d = addDays(d, 1)) {
    const officialWorking = makeUp.has(d) || (!isWeekend(d) && !official.has(d));
    const ruleWorking = !isWeekend(d) && !predicted.has(d);
    same += officialWorking === ruleWorking ? 1 : 0;
    ++total;
  }
  const row = {
    year,
    rules: year >= 2025 ? 'Order 795 (2025)' : 'Order 644 (2014)',
    statutory_days_official: `${statutory.filter((d) => official.has(d)).length}/${statutory.length}`,
    days_classified_alike: `${same}/${total}`,
  };
  agreement.push(row);
  process.stderr.write(`gen-cn-calendar: ${year} (${row.rules}): statutory days in the official schedule ` +
    `${row.statutory_days_official}, days classified alike ${row.days_classified_alike}\n`);
}
const provisional = [];
for (let year = LAST_YEAR + 1; year <= PROVISIONAL_LAST; ++year) provisional.push(...provisionalHolidays(year));
dh.cleanup();

const provenance = {
  package: PACKAGE,
  version: pkg.version,
  file: 'dist/chinese-days.json',
  url: `https://www.npmjs.com/package/${PACKAGE}/v/${pkg.version}`,
  generated: new Date().toISOString().slice(0, 10),
  generator: 'tools/gen-cn-calendar.mjs',
  note: 'holidays include the weekend days inside each official holiday period, as the source lists them',
};
if (provisional.length) {
  provenance.provisional = {
    years: `${LAST_YEAR + 1}-${PROVISIONAL_LAST}`,
    note: 'PROVISIONAL: computed from the statutory rules (State Council Order No. 795), not published; ' +
      'statutory days and weekdays in lieu (补假) only, no make-up working days (调休). Replace with the official ' +
      'schedule when it is published.',
    package: 'date-holidays',
    version: dh.version,
    url: `https://www.npmjs.com/package/date-holidays/v/${dh.version}`,
    cross_check: agreement,
  };
}

process.stdout.write(`{
  "schema": "redress.calendar/1",
  "name": "cn",
  "description": "Mainland China: official public holidays and make-up working days (调休), ${FIRST_YEAR}-${LAST_YEAR}${
  provisional.length ? `; PROVISIONAL ${LAST_YEAR + 1}-${PROVISIONAL_LAST}, from the statutory rules` : ''}",
  "provenance": ${JSON.stringify(provenance, null, 2).replace(/\n/g, '\n  ')},
  "time_zone": "Asia/Shanghai",
  "weekmask": ["Mon", "Tue", "Wed", "Thu", "Fri"],
  "service_hours": [{"opens": "09:00", "closes": "21:00"}],
  "first_date": "${FIRST_YEAR}-01-01",
  "last_date": "${PROVISIONAL_LAST}-12-31",${provisional.length ? `
  "provisional_from": "${LAST_YEAR + 1}-01-01",` : ''}
  "holidays": [
${lines(holidays, days.holidays)}${provisional.length ? `,
${yearLines(provisional)}` : ''}
  ],
  "extra_working_days": [
${lines(workdays, days.workdays)}
  ]
}
`);
