import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type {
  Language,
  PollKind,
  PollOptionsTable,
  PollResultsVisibility,
  PollsTable,
} from '../../db/schema.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import {
  columns,
  fromColumns,
  instant,
  type Localized,
  localized,
  pick,
  type Texts,
} from '../announcements/text.js';
import type { AuditService } from '../audit/service.js';
import {
  addToTallies,
  closePoll,
  districtsOf,
  existingDistrictIds,
  findPoll,
  hasVoted,
  insertOptions,
  insertPoll,
  insertPollDistricts,
  insertVoter,
  listPolls,
  optionsOf,
  pollsFor,
  talliesOf,
  targets,
  voterStanding,
} from './repo.js';

/** A district with fewer voters than this is counted under "other", so no one's vote can be inferred. */
export const MIN_DISTRICT_VOTERS = 10;
const RECENTLY_CLOSED_DAYS = 30;
const DAY_MS = 86_400_000;

export interface NewPoll {
  question: Localized;
  kind: PollKind;
  options: { label: Localized }[];
  districtIds?: number[] | null;
  opensAt?: string;
  closesAt: string;
  results: PollResultsVisibility;
}

export interface OptionResult {
  optionId: number;
  votes: number;
  /** Of the voters; with multiple choice they add up to more than 100. */
  percent: number;
}

export interface PollResults {
  voters: number;
  options: OptionResult[];
  /** Per district; districts with fewer than MIN_DISTRICT_VOTERS voters are summed into one `other` row. */
  districts: {
    districtId: number | null;
    code: string;
    name: string;
    voters: number;
    options: OptionResult[];
  }[];
}

type PollRow = Selectable<PollsTable>;
type OptionRow = Selectable<PollOptionsTable>;

const percent = (votes: number, voters: number) =>
  voters === 0 ? 0 : Math.round((votes / voters) * 1000) / 10;

function stateOf(p: PollRow, now: string): 'scheduled' | 'open' | 'closed' {
  if (p.opens_at > now) return 'scheduled';
  return p.closes_at > now ? 'open' : 'closed';
}

/**
 * Polls keep who voted apart from what was voted: poll_voters holds (poll, citizen) only, to refuse a second
 * vote; the tallies hold counts per option and district only, updated in the vote's transaction, so results
 * are read in O(options x districts) and no query could say who chose what.
 */
export class PollService {
  constructor(private readonly deps: { db: Db; audit: AuditService }) {}

  async create(input: NewPoll, staffId: number) {
    const question = localized('question', input.question, true);
    if (input.options.length < 2) {
      throw invalid('validation_failed', 'A poll needs at least two options.', { options: 'At least 2.' });
    }
    const labels = input.options.map((o, i) => localized(`options.${i}.label`, o.label, true));
    const now = new Date();
    const opensAt = input.opensAt ? instant('opensAt', input.opensAt) : now;
    const closesAt = instant('closesAt', input.closesAt);
    if (closesAt <= opensAt || closesAt <= now) {
      throw invalid('validation_failed', 'A poll must close after it opens, in the future.', {
        closesAt: 'Later than opensAt and than now.',
      });
    }
    const districtIds = await this.checkDistricts(input.districtIds ?? null);
    return this.deps.db.transaction().execute(async (trx) => {
      const poll = await insertPoll(trx, {
        ...columns('question', question),
        kind: input.kind,
        province_wide: districtIds === null ? 1 : 0,
        results: input.results,
        opens_at: opensAt.toISOString(),
        closes_at: closesAt.toISOString(),
        created_by: staffId,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
      const options = await insertOptions(
        trx,
        poll.id,
        labels.map((l) => columns('label', l)),
      );
      await insertPollDistricts(trx, poll.id, districtIds ?? []);
      const view = this.staffView(poll, options, districtIds ?? []);
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: 'poll.created',
        entity: { type: 'poll', id: poll.id },
        after: view,
      });
      return view;
    });
  }

  async close(id: number, staffId: number) {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await findPoll(trx, id);
      if (!before) throw notFound('The poll');
      const now = new Date().toISOString();
      if (before.closes_at <= now) throw conflict('poll_closed', 'This poll is already closed.');
      const after = await closePoll(trx, id, now);
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: 'poll.closed',
        entity: { type: 'poll', id },
        before: { closesAt: before.closes_at, voters: before.voters },
        after: { closesAt: after.closes_at, voters: after.voters },
      });
    });
    return this.staffGet(id);
  }

  async staffGet(id: number) {
    const poll = await findPoll(this.deps.db, id);
    if (!poll) throw notFound('The poll');
    const [options, districts] = await Promise.all([
      optionsOf(this.deps.db, [id]),
      districtsOf(this.deps.db, [id]),
    ]);
    return {
      ...this.staffView(
        poll,
        options,
        districts.map((d) => d.district_id),
      ),
      results: await this.results(poll, options),
    };
  }

  async staffList(q: { cursor?: number; limit: number }) {
    const rows = await listPolls(this.deps.db, { before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const ids = page.map((p) => p.id);
    const [options, districts] = await Promise.all([
      optionsOf(this.deps.db, ids),
      districtsOf(this.deps.db, ids),
    ]);
    return {
      items: page.map((p) =>
        this.staffView(
          p,
          options.filter((o) => o.poll_id === p.id),
          districts.filter((d) => d.poll_id === p.id).map((d) => d.district_id),
        ),
      ),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** The results as CSV for admins: the same aggregate as the screen, never a row per vote. */
  async resultsCsv(id: number): Promise<string> {
    const poll = await findPoll(this.deps.db, id);
    if (!poll) throw notFound('The poll');
    const options = await optionsOf(this.deps.db, [id]);
    const results = await this.results(poll, options);
    const label = new Map(options.map((o) => [o.id, pick(fromColumns('label', o), 'en') ?? '']));
    const lines = [['scope', 'district', 'voters', 'option', 'votes', 'percent']];
    for (const o of results.options) {
      lines.push([
        'province',
        '',
        String(results.voters),
        label.get(o.optionId)!,
        String(o.votes),
        String(o.percent),
      ]);
    }
    for (const d of results.districts) {
      for (const o of d.options) {
        lines.push([
          'district',
          d.name,
          String(d.voters),
          label.get(o.optionId)!,
          String(o.votes),
          String(o.percent),
        ]);
      }
    }
    return `${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`;
  }

  async forCitizen(citizenId: number) {
    const me = await voterStanding(this.deps.db, citizenId);
    if (!me) throw notFound('The account');
    const now = new Date();
    const rows = await pollsFor(this.deps.db, {
      citizenId,
      districtId: me.district_id,
      now: now.toISOString(),
      closedSince: new Date(now.getTime() - RECENTLY_CLOSED_DAYS * DAY_MS).toISOString(),
      limit: 50,
    });
    const options = await optionsOf(
      this.deps.db,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((p) =>
        this.citizenView(
          p,
          options.filter((o) => o.poll_id === p.id),
          me.language,
          Boolean(p.voted),
          now.toISOString(),
        ),
      ),
    };
  }

  /** A poll not aimed at the citizen's district, or not yet open, does not exist for them. */
  async citizenGet(citizenId: number, id: number) {
    const me = await voterStanding(this.deps.db, citizenId);
    if (!me) throw notFound('The account');
    const poll = await findPoll(this.deps.db, id);
    const now = new Date().toISOString();
    if (!poll || poll.opens_at > now) throw notFound('The poll');
    if (poll.province_wide !== 1 && !(await targets(this.deps.db, id, me.district_id)))
      throw notFound('The poll');
    const options = await optionsOf(this.deps.db, [id]);
    const view = this.citizenView(
      poll,
      options,
      me.language,
      await hasVoted(this.deps.db, id, citizenId),
      now,
    );
    return { ...view, results: view.resultsVisible ? await this.results(poll, options) : null };
  }

  async vote(citizenId: number, pollId: number, optionIds: number[]): Promise<{ voted: true }> {
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const poll = await findPoll(trx, pollId);
        const me = await voterStanding(trx, citizenId);
        if (!me) throw notFound('The account');
        const now = new Date().toISOString();
        if (!poll || poll.opens_at > now) throw notFound('The poll');
        if (poll.province_wide !== 1 && !(await targets(trx, pollId, me.district_id))) {
          throw forbidden('not_in_target', 'This poll is for citizens of other districts.');
        }
        if (me.status === 'blocked') {
          throw forbidden(
            'citizen_blocked',
            'Your account is blocked from taking part. Contact the Citizen Portal helpline if you think this is a mistake.',
          );
        }
        if (me.status !== 'active' || me.verified_at === null) {
          throw forbidden('not_verified', 'Only citizens with a verified mobile number can vote.');
        }
        if (poll.closes_at <= now)
          throw conflict('poll_closed', 'This poll has closed; votes are no longer taken.');
        const options = await optionsOf(trx, [pollId]);
        this.checkChoice(poll, options, optionIds);
        await insertVoter(trx, pollId, citizenId);
        await addToTallies(trx, pollId, me.district_id, [...new Set(optionIds)]);
        return { voted: true as const };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('already_voted', 'You have already voted in this poll.');
      throw err;
    }
  }

  private checkChoice(poll: PollRow, options: OptionRow[], optionIds: number[]) {
    const valid = new Set(options.map((o) => o.id));
    if (new Set(optionIds).size !== optionIds.length) {
      throw invalid('validation_failed', 'An option was chosen twice.', { optionIds: 'Each option once.' });
    }
    const unknown = optionIds.filter((id) => !valid.has(id));
    if (unknown.length > 0) {
      throw invalid('validation_failed', 'Some options are not in this poll.', {
        optionIds: `Not options of this poll: ${unknown.join(', ')}.`,
      });
    }
    if (poll.kind === 'single' && optionIds.length !== 1) {
      throw invalid('validation_failed', 'Choose exactly one option.', { optionIds: 'Exactly one.' });
    }
  }

  private async results(poll: PollRow, options: OptionRow[]): Promise<PollResults> {
    const tallies = await talliesOf(this.deps.db, poll.id);
    const byDistrict = new Map<number, { code: string; name: string; counts: Map<number, number> }>();
    for (const t of tallies) {
      let d = byDistrict.get(t.district_id);
      if (!d) {
        d = { code: t.code, name: t.name, counts: new Map() };
        byDistrict.set(t.district_id, d);
      }
      d.counts.set(t.option_id, t.votes);
    }
    const optionResults = (counts: Map<number, number>, voters: number) =>
      options.map((o) => {
        const votes = counts.get(o.id) ?? 0;
        return { optionId: o.id, votes, percent: percent(votes, voters) };
      });
    const shown: PollResults['districts'] = [];
    const other = new Map<number, number>();
    for (const [districtId, d] of [...byDistrict].sort((a, b) => a[1].name.localeCompare(b[1].name))) {
      const voters = d.counts.get(0) ?? 0;
      if (voters >= MIN_DISTRICT_VOTERS) {
        shown.push({
          districtId,
          code: d.code,
          name: d.name,
          voters,
          options: optionResults(d.counts, voters),
        });
      } else {
        for (const [k, v] of d.counts) other.set(k, (other.get(k) ?? 0) + v);
      }
    }
    if (other.size > 0) {
      const voters = other.get(0) ?? 0;
      shown.push({
        districtId: null,
        code: 'other',
        name: 'Other districts',
        voters,
        options: optionResults(other, voters),
      });
    }
    return {
      voters: poll.voters,
      options: options.map((o) => ({
        optionId: o.id,
        votes: o.votes,
        percent: percent(o.votes, poll.voters),
      })),
      districts: shown,
    };
  }

  private staffView(p: PollRow, options: OptionRow[], districtIds: number[]) {
    return {
      id: p.id,
      question: fromColumns('question', p),
      kind: p.kind,
      options: options.map((o) => ({ id: o.id, label: fromColumns('label', o) })),
      districtIds: p.province_wide === 1 ? null : districtIds,
      opensAt: p.opens_at,
      closesAt: p.closes_at,
      results: p.results,
      state: stateOf(p, new Date().toISOString()),
      voters: p.voters,
      createdBy: p.created_by,
      createdAt: p.created_at,
    };
  }

  private citizenView(p: PollRow, options: OptionRow[], language: Language, voted: boolean, now: string) {
    const state = stateOf(p, now);
    const text = (t: Texts) => pick(t, language) ?? '';
    return {
      id: p.id,
      question: text(fromColumns('question', p)),
      kind: p.kind,
      options: options.map((o) => ({ id: o.id, label: text(fromColumns('label', o)) })),
      opensAt: p.opens_at,
      closesAt: p.closes_at,
      state,
      voted,
      canVote: state === 'open' && !voted,
      resultsVisible: p.results === 'live' || state === 'closed',
    };
  }

  private async checkDistricts(ids: number[] | null): Promise<number[] | null> {
    if (ids === null) return null;
    const unique = [...new Set(ids)];
    const found = new Set(await existingDistrictIds(this.deps.db, unique));
    const missing = unique.filter((d) => !found.has(d));
    if (unique.length === 0 || missing.length > 0) {
      throw invalid('validation_failed', 'Some districts do not exist.', {
        districtIds: missing.length > 0 ? `Unknown: ${missing.join(', ')}.` : 'At least one, or null.',
      });
    }
    return unique.sort((a, b) => a - b);
  }
}

/** Quotes a CSV field when needed, and defuses text a spreadsheet would run as a formula. */
function csvField(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
