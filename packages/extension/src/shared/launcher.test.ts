import { describe, expect, it } from 'vitest';
import { fold, matches, orderGuides, type LauncherGuide } from './launcher';
import { isContentRequest, isPopupRequest } from './messages';

const APP = 'https://app.example.com';
let id = 0;
const guide = (name: string, path: string, description: string | null = null, origin = APP): LauncherGuide => ({
  id: ++id,
  name,
  description,
  startingUrl: `${origin}${path}`,
  stepCount: 3,
});

// In the server's order (by name).
const GUIDES = [
  guide('Approve an expense', '/expenses/', 'Managers approve or send back'),
  guide('Create an invoice', '/billing?tab=new', 'From the billing page'),
  guide('Créer un client', '/customers'),
  guide('Export invoices', '/billing/', 'A CSV of the month'),
  guide('Invite a colleague', '/settings/team'),
];
const names = (g: LauncherGuide[]) => g.map((x) => x.name);

describe('orderGuides', () => {
  it("lists this page's guides first (same path, query and trailing slash aside), then the rest of the site, each in the given order", () => {
    const o = orderGuides(GUIDES, `${APP}/billing#top`);
    expect(names(o.here)).toEqual(['Create an invoice', 'Export invoices']);
    expect(names(o.site)).toEqual(['Approve an expense', 'Créer un client', 'Invite a colleague']);
  });

  it('on a page with none of its own, everything is the site', () => {
    const o = orderGuides(GUIDES, `${APP}/dashboard`);
    expect(o.here).toEqual([]);
    expect(o.site).toHaveLength(5);
  });

  it('the root page matches "/" with or without a slash', () => {
    const home = guide('Tour of the app', '/');
    expect(names(orderGuides([home], APP).here)).toEqual(['Tour of the app']);
    expect(names(orderGuides([home], `${APP}/?ref=mail`).here)).toEqual(['Tour of the app']);
  });

  it('filters by every word of the query in the name or description, in any order, without case or accents', () => {
    expect(names(orderGuides(GUIDES, `${APP}/billing`, 'invoice').here)).toEqual(['Create an invoice', 'Export invoices']);
    expect(names(orderGuides(GUIDES, `${APP}/billing`, 'billing page').here)).toEqual(['Create an invoice']);
    expect(names(orderGuides(GUIDES, `${APP}/billing`, 'CREER').site)).toEqual(['Créer un client']);
    expect(names(orderGuides(GUIDES, `${APP}/billing`, '  month   csv ').here)).toEqual(['Export invoices']);
    const none = orderGuides(GUIDES, `${APP}/billing`, 'payroll');
    expect(none.here.length + none.site.length).toBe(0);
  });

  it('an empty or blank query keeps everything', () => {
    expect(orderGuides(GUIDES, `${APP}/billing`, '   ').site).toHaveLength(3);
  });

  it('leaves out a guide of another origin and a guide listed twice', () => {
    const other = guide('Elsewhere', '/billing', null, 'https://other.example.com');
    const o = orderGuides([GUIDES[1]!, other, GUIDES[1]!], `${APP}/billing`);
    expect(names(o.here)).toEqual(['Create an invoice']);
    expect(o.site).toEqual([]);
  });

  it('fold and matches', () => {
    expect(fold('Ébauche ÇA')).toBe('ebauche ca');
    expect(matches(GUIDES[0]!, 'send back')).toBe(true);
    expect(matches(GUIDES[0]!, 'send invoice')).toBe(false);
  });
});

describe('launcher messages', () => {
  it('are content requests, never popup requests', () => {
    expect(isContentRequest({ type: 'launcher/guides' })).toBe(true);
    expect(isContentRequest({ type: 'launcher/start', workflowId: 4 })).toBe(true);
    expect(isPopupRequest({ type: 'launcher/start', workflowId: 4 })).toBe(false);
    expect(isPopupRequest({ type: 'launcher/guides' })).toBe(false);
  });
  it('a content script cannot send the popup\'s walkthrough/start (it names a tab)', () => {
    expect(isContentRequest({ type: 'walkthrough/start', tabId: 1, workflowId: 4 })).toBe(false);
  });
});
