import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { formErrorsFrom } from './form-errors';

const validation = (errors: Array<{ pointer: string; message: string }>) =>
  new ApiError({ status: 422, code: 'VALIDATION_ERROR', message: 'The request is not valid', details: { errors }, requestId: 'r1' });

describe('formErrorsFrom', () => {
  it('puts each 422 problem next to its field and the rest above the button', () => {
    const out = formErrorsFrom(validation([{ pointer: '/email', message: 'must look like an email' }, { pointer: '/other', message: 'is not allowed' }]), ['email']);
    expect(out.fields).toEqual({ email: 'Must look like an email' });
    expect(out.form).toBe('Other: is not allowed');
    expect(out.requestId).toBe('r1');
  });

  it('places known codes where the form says', () => {
    const taken = new ApiError({ status: 409, code: 'EMAIL_TAKEN', message: 'An account with this email already exists.' });
    expect(formErrorsFrom(taken, ['email'], { EMAIL_TAKEN: { field: 'email' } }).fields).toEqual({ email: 'An account with this email already exists.' });
    const wrong = new ApiError({ status: 401, code: 'INVALID_CREDENTIALS', message: 'x' });
    expect(formErrorsFrom(wrong, ['email'], { INVALID_CREDENTIALS: { message: 'Email or password is incorrect.' } }).form).toBe('Email or password is incorrect.');
  });

  it('uses the human message for anything else', () => {
    const limited = new ApiError({ status: 429, code: 'RATE_LIMITED', message: 'Too many', retryAfter: 120 });
    expect(formErrorsFrom(limited, []).form).toBe('Too many attempts. Please try again in 2 minutes.');
    expect(formErrorsFrom(new Error('boom'), []).form).toBe('boom');
  });
});
