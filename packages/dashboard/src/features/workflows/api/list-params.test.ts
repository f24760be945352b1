import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, hasFilters, nextSort, paramsFromSearch, searchFromParams, toQuery, withChange } from './list-params';

describe('workflow list parameters', () => {
  it('reads the address, ignoring values the API would refuse', () => {
    expect(paramsFromSearch(new URLSearchParams('q=invoice&status=active&tag=billing&sort=name&page=3&size=50'))).toEqual({
      q: 'invoice',
      status: 'active',
      tag: 'billing',
      sort: 'name',
      page: 3,
      size: 50,
    });
    expect(paramsFromSearch(new URLSearchParams('status=bogus&sort=drop+table&page=-2&size=7'))).toEqual(DEFAULT_PARAMS);
    expect(paramsFromSearch(new URLSearchParams(`q=${'x'.repeat(300)}`)).q).toHaveLength(200);
  });

  it('writes only what differs from the defaults, and reads back the same', () => {
    expect(searchFromParams(DEFAULT_PARAMS).toString()).toBe('');
    const p = { ...DEFAULT_PARAMS, q: 'a b', status: 'broken' as const, page: 2 };
    const s = searchFromParams(p);
    expect(s.toString()).toBe('q=a+b&status=broken&page=2');
    expect(paramsFromSearch(s)).toEqual(p);
  });

  it('turns a page into limit/offset and drops blank filters', () => {
    expect(toQuery({ ...DEFAULT_PARAMS, page: 3, size: 25 })).toEqual({ limit: 25, offset: 50, sort: '-updated_at' });
    expect(toQuery({ ...DEFAULT_PARAMS, q: '  pay  ', tag: ' ', status: 'active' })).toEqual({ limit: 25, offset: 0, sort: '-updated_at', q: 'pay', status: 'active' });
  });

  it('sorting a column: names start A→Z, numbers highest first, the same column flips', () => {
    expect(nextSort('-updated_at', 'name')).toBe('name');
    expect(nextSort('name', 'name')).toBe('-name');
    expect(nextSort('-name', 'name')).toBe('name');
    expect(nextSort('name', 'success_rate')).toBe('-success_rate');
    expect(nextSort('-success_rate', 'success_rate')).toBe('success_rate');
  });

  it('a new filter, sort or page size goes back to page 1; moving pages keeps the filters', () => {
    const on3 = { ...DEFAULT_PARAMS, q: 'x', page: 3 };
    expect(withChange(on3, { status: 'active' })).toMatchObject({ q: 'x', status: 'active', page: 1 });
    expect(withChange(on3, { page: 4 })).toMatchObject({ q: 'x', page: 4 });
    expect(hasFilters(DEFAULT_PARAMS)).toBe(false);
    expect(hasFilters({ ...DEFAULT_PARAMS, tag: 'a' })).toBe(true);
  });
});
