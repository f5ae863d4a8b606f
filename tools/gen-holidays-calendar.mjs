#!/usr/bin/env node
// Generates a business calendar (data/calendars/<name>.json) from the npm
// package `date-holidays`: the public holidays it lists for a country, over
// the years given.
//
//   node tools/gen-holidays-calendar.mjs de 2020 2027 > data/calendars/de.json
//   node tools/gen-holidays-calendar.mjs us-ny 2020 2027 > data/calendars/us-ny.json
//       install date-holidays@3.37.0 with `npm install` into a scratch
//       directory (it has dependencies, so `npm pack` alone is not enough);
//   node tools/gen-holidays-calendar.mjs de 2020 2027 path/to/node_modules > ...
//       use an already installed copy (the node_modules directory holding it).
//
// Calendars:
//   de     Germany, national public holidays (the nine every state keeps;
//          state holidays such as Epiphany or Reformation Day are left out:
//          a company with offices in one state adds its own), Europe/Berlin,
//          service 09:00-18:00.
//   us-ny  United States federal holidays, with the federal "observed" days
//          (a holiday on a Saturday is observed on the Friday before, on a
//          Sunday on the Monday after), America/New_York, service
//          09:00-17:00. New York State's own holidays (Lincoln's Birthday,
//          Election Day) are left out.
//
// The output is committed: building redress never runs this script.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = 'date-holidays';
const VERSION = '3.37.0';

const CALENDARS = {
  de: {
    country: 'DE',
    description: 'Germany: national public holidays (every state)',
    time_zone: 'Europe/Berlin',
    service_hours: [{ opens: '09:00', closes: '18:00' }],
    // The nine holidays of every state (Reformationstag was national only in 2017).
    keep: ['Neujahr', 'Karfreitag', 'Ostermontag', 'Maifeiertag', 'Christi Himmelfahrt', 'Pfingstmontag',
      'Tag der Deutschen Einheit', '1. Weihnachtstag', '2. Weihnachtstag'],
  },
  'us-ny': {
    country: 'US',
    description: 'United States federal holidays and their observed days, for an office in New York',
    time_zone: 'America/New_York',
    service_hours: [{ opens: '09:00', closes: '17:00' }],
    keep: ["New Year's Day", 'Martin Luther King Jr. Day', "Washington's Birthday", 'Memorial Day', 'Juneteenth',
      'Independence Day', 'Labor Day', 'Columbus Day', 'Veterans Day', 'Thanksgiving Day', 'Christmas Day'],
    observed: true,
  },
};

function fail(message) {
  process.stderr.write(`gen-holidays-calendar: ${message}\n`);
  process.exit(1);
}

// Loads date-holidays from `modules` (a node_modules directory) or from a
// scratch install.
export function loadDateHolidays(modules) {
  let cleanup = () => {};
  if (!modules) {
    const dir = mkdtempSync(join(tmpdir(), 'date-holidays-'));
    execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefix', dir, `${PACKAGE}@${VERSION}`],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    modules = join(dir, 'node_modules');
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const pkg = JSON.parse(readFileSync(join(modules, PACKAGE, 'package.json'), 'utf8'));
  if (pkg.name !== PACKAGE) fail(`expected package ${PACKAGE}, found ${pkg.name}`);
  const Holidays = createRequire(join(modules, 'noop.js'))(PACKAGE);
  return { Holidays, version: pkg.version, cleanup };
}

// One line per year, so a reviewer can read the file against a printed list.
export function yearLines(dates) {
  const years = new Map();
  for (const d of dates) {
    const y = d.slice(0, 4);
    if (!years.has(y)) years.set(y, []);
    years.get(y).push(d);
  }
  return [...years.values()].map((ds) => '    ' + ds.map((d) => JSON.stringify(d)).join(', ')).join(',\n');
}

function main() {
  const [name, first, last, modules] = process.argv.slice(2);
  const spec = CALENDARS[name];
  if (!spec) fail(`usage: gen-holidays-calendar.mjs <${Object.keys(CALENDARS).join('|')}> FIRST_YEAR LAST_YEAR [node_modules]`);
  const firstYear = Number(first), lastYear = Number(last);
  if (!Number.isInteger(firstYear) || !Number.isInteger(lastYear) || firstYear > lastYear || firstYear < 1900 ||
      lastYear > 2037) {
    fail(`years ${first}..${last}: expected FIRST_YEAR <= LAST_YEAR within 1900..2037 (the tz files' range)`);
  }
  const { Holidays, version, cleanup } = loadDateHolidays(modules);
  const hd = new Holidays(spec.country);
  const holidays = new Set();
  for (let year = firstYear; year <= lastYear; ++year) {
    const found = new Set();
    for (const h of hd.getHolidays(year)) {
      if (h.type !== 'public') continue;
      const base = h.name.replace(/ \(substitute day\)$/, '');
      if (!spec.keep.includes(base)) continue;
      // A substitute day may fall in the neighbouring year (New Year's Day
      // 2022, a Saturday, was observed on Friday 2021-12-31).
      const date = h.date.slice(0, 10);
      const y = Number(date.slice(0, 4));
      const add = (d) => {
        const dy = Number(d.slice(0, 4));
        if (dy >= firstYear && dy <= lastYear) holidays.add(d);
      };
      add(date);
      if (!h.substitute) found.add(base);
      // The federal rule (5 U.S.C. 6103(b)) for every holiday, where the
      // package lists no substitute (it has none for Veterans Day 2023).
      if (spec.observed && !h.substitute) {
        const day = new Date(`${date}T00:00:00Z`);
        const shift = { 6: -1, 0: 1 }[day.getUTCDay()];
        if (shift) add(new Date(day.getTime() + shift * 86400000).toISOString().slice(0, 10));
      }
    }
    for (const k of spec.keep) {
      if (!found.has(k) && !(name === 'us-ny' && k === 'Juneteenth' && year < 2021)) {
        fail(`${year}: no ${k} in ${PACKAGE} ${version}: data incomplete`);
      }
    }
  }
  cleanup();
  const dates = [...holidays].sort();
  const provenance = {
    package: PACKAGE,
    version,
    country: spec.country,
    kept: 'type "public" holidays named ' + spec.keep.join(', ') + (name === 'us-ny' ? ', and their substitute (observed) days' : ''),
    url: `https://www.npmjs.com/package/${PACKAGE}/v/${version}`,
    generated: new Date().toISOString().slice(0, 10),
    generator: `tools/gen-holidays-calendar.mjs ${name} ${firstYear} ${lastYear}`,
  };
  process.stdout.write(`{
  "schema": "redress.calendar/1",
  "name": "${name}",
  "description": "${spec.description}, ${firstYear}-${lastYear}",
  "provenance": ${JSON.stringify(provenance, null, 2).replace(/\n/g, '\n  ')},
  "time_zone": "${spec.time_zone}",
  "weekmask": ["Mon", "Tue", "Wed", "Thu", "Fri"],
  "service_hours": ${JSON.stringify(spec.service_hours).replace(/,"/g, ', "').replace(/\},\{/g, '}, {').replace(/":/g, '": ')},
  "first_date": "${firstYear}-01-01",
  "last_date": "${lastYear}-12-31",
  "holidays": [
${yearLines(dates)}
  ]
}
`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
